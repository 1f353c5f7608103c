/**
 * The numbers of `costline report`, per surface, by the definitions in ARCHITECTURE.md Contracts:
 * cost per successful action = all cost attributed to the surface in the window ÷ its successful
 * actions; actions are selected by start time, calls by their own time. Every total is summed over
 * its own table, never over a join, so fan-out cannot inflate it; counts are `sum(sign)`, so
 * correction rows (see the schema) keep them right.
 *
 * @module
 */

import { picoToUsd, usdToPico } from '../store/money.ts';
import type { QueryRunner } from './query-runner.ts';

export interface SurfaceReport {
  surface: string;
  actions: number;
  successes: number;
  failures: number;
  unknown: number;
  /** success ÷ (success + failure), or null without decided actions. */
  successRate: number | null;
  totalCostUsd: string;
  failedActionCostUsd: string;
  /** null when the surface has no successful action (shown as "—"). */
  costPerSuccessUsd: string | null;
  latencyMs: { p50: number; p95: number; p99: number } | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** cache_read_tokens ÷ input_tokens. */
  promptCacheShare: number | null;
  /** actions answered from the app's cache or by a rule ÷ actions. */
  appCacheHitRate: number | null;
  avoidedCostUsd: string;
  modelCalls: number;
  failedCalls: number;
  unpricedCalls: number;
  models: { model: string; calls: number; costUsd: string }[];
}

export interface ReportOptions {
  database: string;
  since: Date;
  surface?: string | undefined;
}

interface ActionAgg {
  surface: string;
  actions: string;
  successes: string;
  failures: string;
  unknown: string;
  app_cache: string;
  q: number[];
}
interface CallAgg {
  surface: string;
  cost: string;
  failed_cost: string;
  input: string;
  output: string;
  cache_read: string;
  cache_write: string;
  calls: string;
  failed_calls: string;
  unpriced: string;
  avoided: string;
}
interface ModelAgg {
  surface: string;
  model: string;
  calls: string;
  cost: string;
}

export async function surfaceReport(runner: QueryRunner, options: ReportOptions): Promise<SurfaceReport[]> {
  const db = options.database;
  const params = { since: options.since.getTime() / 1000, surface: options.surface ?? '' };
  const surfaceFilter = options.surface ? 'AND surface = {surface:String}' : '';
  const since = 'ts >= fromUnixTimestamp64Milli(toInt64({since:Float64} * 1000))';
  const [actions, calls, models] = await Promise.all([
    runner.rows<ActionAgg>(
      `SELECT surface, sum(sign) AS actions, sumIf(sign, outcome = 'success') AS successes,
              sumIf(sign, outcome = 'failure') AS failures, sumIf(sign, outcome = 'unknown') AS unknown,
              sumIf(sign, app_cache_hit) AS app_cache,
              quantilesExactInclusiveIf(0.5, 0.95, 0.99)(duration_ms, sign = 1) AS q
       FROM ${db}.actions WHERE ${since} ${surfaceFilter} GROUP BY surface`,
      params,
    ),
    runner.rows<CallAgg>(
      `SELECT surface, toString(sum(cost_usd)) AS cost,
              toString(sumIf(cost_usd, action_outcome = 'failure')) AS failed_cost,
              sum(input_tokens) AS input, sum(output_tokens) AS output,
              sum(cache_read_tokens) AS cache_read, sum(cache_write_tokens) AS cache_write,
              sumIf(sign, NOT app_cache_hit) AS calls, sumIf(sign, status = 'error') AS failed_calls,
              sumIf(sign, NOT priced) AS unpriced, toString(sum(avoided_cost_usd)) AS avoided
       FROM ${db}.llm_calls WHERE ${since} ${surfaceFilter} GROUP BY surface`,
      params,
    ),
    runner.rows<ModelAgg>(
      `SELECT surface, if(response_model != '', response_model, request_model) AS model,
              sum(sign) AS calls, toString(sum(cost_usd)) AS cost
       FROM ${db}.llm_calls WHERE ${since} ${surfaceFilter} AND NOT app_cache_hit
       GROUP BY surface, model ORDER BY surface, calls DESC, model`,
      params,
    ),
  ]);
  const surfaces = new Set([...actions.map((a) => a.surface), ...calls.map((c) => c.surface)]);
  return [...surfaces].sort().map((surface) => {
    const a = actions.find((x) => x.surface === surface);
    const c = calls.find((x) => x.surface === surface);
    const successes = Number(a?.successes ?? 0);
    const failures = Number(a?.failures ?? 0);
    const count = Number(a?.actions ?? 0);
    const costPico = usdToPico(c?.cost ?? '0');
    const input = Number(c?.input ?? 0);
    return {
      surface,
      actions: count,
      successes,
      failures,
      unknown: Number(a?.unknown ?? 0),
      successRate: successes + failures > 0 ? successes / (successes + failures) : null,
      totalCostUsd: picoToUsd(costPico),
      failedActionCostUsd: picoToUsd(usdToPico(c?.failed_cost ?? '0')),
      costPerSuccessUsd: successes > 0 ? picoToUsd(divRoundHalfEven(costPico, BigInt(successes))) : null,
      latencyMs: a?.q.length === 3 ? { p50: a.q[0] ?? 0, p95: a.q[1] ?? 0, p99: a.q[2] ?? 0 } : null,
      inputTokens: input,
      outputTokens: Number(c?.output ?? 0),
      cacheReadTokens: Number(c?.cache_read ?? 0),
      cacheWriteTokens: Number(c?.cache_write ?? 0),
      promptCacheShare: input > 0 ? Number(c?.cache_read ?? 0) / input : null,
      appCacheHitRate: count > 0 ? Number(a?.app_cache ?? 0) / count : null,
      avoidedCostUsd: picoToUsd(usdToPico(c?.avoided ?? '0')),
      modelCalls: Number(c?.calls ?? 0),
      failedCalls: Number(c?.failed_calls ?? 0),
      unpricedCalls: Number(c?.unpriced ?? 0),
      models: models
        .filter((m) => m.surface === surface)
        .map((m) => ({ model: m.model, calls: Number(m.calls), costUsd: picoToUsd(usdToPico(m.cost)) })),
    };
  });
}

/** Integer division rounding half to even, for exact money quotients. */
export function divRoundHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  const twice = 2n * (r < 0n ? -r : r);
  if (twice < d || (twice === d && q % 2n === 0n)) return q;
  return n < 0n ? q - 1n : q + 1n;
}
