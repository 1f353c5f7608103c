/**
 * The rows the collector writes, field for field as the ClickHouse columns are named (the schema is
 * a public API: see migrations/ and ARCHITECTURE.md Contracts). Money is a decimal string.
 *
 * @module
 */

import type { ColumnSpec } from './tab-separated.ts';

export interface LlmCallRow {
  ts: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  action_id: string;
  service: string;
  surface: string;
  customer: string;
  provider: string;
  request_model: string;
  response_model: string;
  operation: string;
  prompt_name: string;
  prompt_version: string;
  streaming: boolean;
  service_tier: string;
  input_tokens: number;
  uncached_input_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  input_audio_tokens: number;
  output_audio_tokens: number;
  cost_input_usd: string;
  cost_cache_read_usd: string;
  cost_cache_write_usd: string;
  cost_output_usd: string;
  cost_other_usd: string;
  cost_usd: string;
  priced: boolean;
  price_source: string;
  price_version: string;
  pricing_tier: string;
  price_flags: string[];
  usage_missing: boolean;
  duration_ms: number;
  ttft_ms: number | null;
  status: 'ok' | 'error';
  error_type: string;
  retry_attempt: number;
  sdk_retries: number;
  app_cache_hit: boolean;
  avoided_model: string;
  avoided_cost_usd: string;
  action_outcome: string;
  dialect: string;
  system_prompt_chars: number;
  /** Per-call tool counts billed per call (`{ web_search: 4 }`). */
  tool_calls: Record<string, number>;
  /** Where the call was served, for regional uplift ('' when unknown). */
  region: string;
  /** A price (GPU-hour) or avoided cost (surface average) that is an estimate. */
  price_estimated: boolean;
  /** '' at ingest; 'reprice' on a re-pricing delta row. */
  correction: string;
  /** When this row's price was computed (DateTime64(3) text). */
  priced_at: string;
  /** The producer's own cost for the call (OpenLIT, Langfuse, OpenInference): a hint, never our price. */
  producer_cost_usd: string | null;
  /** 1 fact (the default), -1 cancels an earlier row (additive columns negated), 0 delta. */
  sign?: RowSign;
}

export interface ActionRow {
  ts: string;
  end_ts: string;
  trace_id: string;
  /** The action span's (or root span's) id; '' for an action known only by its calls. */
  span_id: string;
  action_id: string;
  service: string;
  surface: string;
  customer: string;
  outcome: string;
  failure_reason: string;
  duration_ms: number;
  llm_calls: number;
  failed_calls: number;
  retries: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cost_usd: string;
  app_cache_hit: boolean;
  early_exit_rule: string;
  avoided_cost_usd: string;
  /** 1 fact (the default), -1 cancels an earlier row (additive columns negated), 0 delta. */
  sign?: RowSign;
}

export type RowSign = 1 | 0 | -1;

/**
 * The additive columns: summed plainly by readers, negated on a cancel row, and the only columns
 * a delta row sets. Counts (`retry_attempt`, `sdk_retries` on calls) are not: they are counted
 * through `sign`.
 */
export const CALL_ADDITIVE = [
  'input_tokens',
  'uncached_input_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_write_1h_tokens',
  'output_tokens',
  'reasoning_tokens',
  'input_audio_tokens',
  'output_audio_tokens',
  'cost_input_usd',
  'cost_cache_read_usd',
  'cost_cache_write_usd',
  'cost_output_usd',
  'cost_other_usd',
  'cost_usd',
  'avoided_cost_usd',
  'producer_cost_usd',
  'duration_ms',
] as const;

export const ACTION_ADDITIVE = [
  'duration_ms',
  'llm_calls',
  'failed_calls',
  'retries',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cost_usd',
  'avoided_cost_usd',
] as const;

/** ClickHouse DateTime64(3) text from epoch nanoseconds. */
export function nanosToDateTime64(ns: bigint): string {
  return dateTime64Text(Number(ns / 1_000_000n));
}

const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedDayText = '';

/**
 * ClickHouse DateTime64(3) text of epoch milliseconds: `YYYY-MM-DD hh:mm:ss.sss`, UTC. The date part
 * is formatted once per day and the time part by hand: every stored row carries one or two of
 * these, and `toISOString` costs several times more.
 */
export function dateTime64Text(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    const iso = new Date(day * DAY_MS).toISOString();
    // Years outside 0000–9999 (never valid span times) are left to toISOString as they are.
    if (iso.length !== 24) return `${iso.slice(0, -14)} ${iso.slice(-13, -1)}`;
    cachedDay = day;
    cachedDayText = iso.slice(0, 10);
  }
  let t = ms - day * DAY_MS;
  const milli = t % 1000;
  t = (t - milli) / 1000;
  const sec = t % 60;
  t = (t - sec) / 60;
  const min = t % 60;
  const hour = (t - min) / 60;
  return `${cachedDayText} ${pad2(hour)}:${pad2(min)}:${pad2(sec)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Every column the collector writes to `llm_calls`, with how it is written (see tab-separated.ts). */
export const LLM_CALL_COLUMNS = [
  ['ts', 'datetime'],
  ['trace_id', 'string'],
  ['span_id', 'string'],
  ['parent_span_id', 'string'],
  ['action_id', 'string'],
  ['service', 'string'],
  ['surface', 'string'],
  ['customer', 'string'],
  ['provider', 'string'],
  ['request_model', 'string'],
  ['response_model', 'string'],
  ['operation', 'string'],
  ['prompt_name', 'string'],
  ['prompt_version', 'string'],
  ['streaming', 'bool'],
  ['service_tier', 'string'],
  ['input_tokens', 'int'],
  ['uncached_input_tokens', 'int'],
  ['cache_read_tokens', 'int'],
  ['cache_write_tokens', 'int'],
  ['cache_write_1h_tokens', 'int'],
  ['output_tokens', 'int'],
  ['reasoning_tokens', 'int'],
  ['input_audio_tokens', 'int'],
  ['output_audio_tokens', 'int'],
  ['cost_input_usd', 'decimal'],
  ['cost_cache_read_usd', 'decimal'],
  ['cost_cache_write_usd', 'decimal'],
  ['cost_output_usd', 'decimal'],
  ['cost_other_usd', 'decimal'],
  ['cost_usd', 'decimal'],
  ['priced', 'bool'],
  ['price_source', 'string'],
  ['price_version', 'string'],
  ['pricing_tier', 'string'],
  ['price_flags', 'string-array'],
  ['usage_missing', 'bool'],
  ['duration_ms', 'float'],
  ['ttft_ms', 'nullable-float'],
  ['status', 'string'],
  ['error_type', 'string'],
  ['retry_attempt', 'int'],
  ['sdk_retries', 'int'],
  ['app_cache_hit', 'bool'],
  ['avoided_model', 'string'],
  ['avoided_cost_usd', 'decimal'],
  ['action_outcome', 'string'],
  ['dialect', 'string'],
  ['system_prompt_chars', 'int'],
  ['tool_calls', 'string-int-map'],
  ['region', 'string'],
  ['price_estimated', 'bool'],
  ['correction', 'string'],
  ['priced_at', 'datetime'],
  ['producer_cost_usd', 'nullable-decimal'],
  ['sign', 'sign'],
] as const satisfies ColumnSpec<LlmCallRow>;

/** Every column the collector writes to `actions`. */
export const ACTION_COLUMNS = [
  ['ts', 'datetime'],
  ['end_ts', 'datetime'],
  ['trace_id', 'string'],
  ['span_id', 'string'],
  ['action_id', 'string'],
  ['service', 'string'],
  ['surface', 'string'],
  ['customer', 'string'],
  ['outcome', 'string'],
  ['failure_reason', 'string'],
  ['duration_ms', 'float'],
  ['llm_calls', 'int'],
  ['failed_calls', 'int'],
  ['retries', 'int'],
  ['input_tokens', 'int'],
  ['output_tokens', 'int'],
  ['cache_read_tokens', 'int'],
  ['cost_usd', 'decimal'],
  ['app_cache_hit', 'bool'],
  ['early_exit_rule', 'string'],
  ['avoided_cost_usd', 'decimal'],
  ['sign', 'sign'],
] as const satisfies ColumnSpec<ActionRow>;
