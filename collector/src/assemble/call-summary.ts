/**
 * The totals of an action's calls that its `actions` row carries, accumulated exactly.
 *
 * @module
 */

import { usdToPico } from '../store/money.ts';
import type { LlmCallRow } from '../store/rows.ts';

export interface CallSummary {
  llmCalls: number;
  failedCalls: number;
  retries: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  costPico: bigint;
  avoidedPico: bigint;
  appCacheHits: number;
}

export function emptySummary(): CallSummary {
  return {
    llmCalls: 0,
    failedCalls: 0,
    retries: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    costPico: 0n,
    avoidedPico: 0n,
    appCacheHits: 0,
  };
}

export function addToSummary(s: CallSummary, row: LlmCallRow): void {
  if (row.app_cache_hit) {
    s.appCacheHits++;
    s.avoidedPico += usdToPico(row.avoided_cost_usd);
    return;
  }
  s.llmCalls++;
  if (row.status === 'error') s.failedCalls++;
  s.retries += row.sdk_retries + (row.retry_attempt > 0 ? 1 : 0);
  s.inputTokens += row.input_tokens;
  s.outputTokens += row.output_tokens;
  s.cacheReadTokens += row.cache_read_tokens;
  s.costPico += usdToPico(row.cost_usd);
}
