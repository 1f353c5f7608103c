/**
 * Turns a recognised model call into its `llm_calls` row: prices the usage buckets and lays the
 * breakdown out in columns. Re-pricing lays a new breakdown out with the same {@link costColumns}.
 *
 * @module
 */

import type { PriceBreakdown, Pricer } from '@costline/pricing';
import type { AttrMap } from '../otlp/span.ts';
import type { ModelCallFacts } from '../recognise/model-call.ts';
import { attrInt, attrStringOf } from '../recognise/attributes.ts';
import { picoToUsd, toScale12, usdToPico } from '../store/money.ts';
import { dateTime64Text } from '../store/rows.ts';
import type { LlmCallRow } from '../store/rows.ts';

const ZERO = '0.000000000000';

/**
 * Per-call tool counts on a model-call span: `costline.tool_calls.<tool>` (e.g.
 * `costline.tool_calls.web_search = 4`), and Anthropic's own `server_tool_use` count when a producer
 * copies it onto the span. (Attribute names kept here until they move to @costline/semconv.)
 */
export const TOOL_CALLS_PREFIX = 'costline.tool_calls.';
const ANTHROPIC_WEB_SEARCHES = 'anthropic.usage.server_tool_use.web_search_requests';
/** The endpoint region of the call (`us-east5`, `global`), for regional uplift. */
export const CALL_REGION_KEYS = ['costline.region', 'cloud.region', 'gcp.vertex_ai.location'] as const;

export function toolCallsOf(
  attrs: AttrMap,
  fromUsage: Readonly<Record<string, number>> = {},
): Record<string, number> {
  const calls: Record<string, number> = { ...fromUsage };
  const searches = attrInt(attrs, ANTHROPIC_WEB_SEARCHES);
  if (searches !== undefined && searches > 0) calls['web_search'] = searches;
  for (const key in attrs) {
    // Two characters rule out almost every key (`gen_ai.…`, `costline.surface`) before the prefix
    // is compared: every attribute of every call passes here.
    if (key.charCodeAt(9) !== 116 || key.charCodeAt(0) !== 99 || !key.startsWith(TOOL_CALLS_PREFIX)) continue;
    const n = attrInt(attrs, key);
    if (n !== undefined && n >= 0) calls[key.slice(TOOL_CALLS_PREFIX.length)] = n;
  }
  return calls;
}

export interface CostColumns {
  cost_input_usd: string;
  cost_cache_read_usd: string;
  cost_cache_write_usd: string;
  cost_output_usd: string;
  cost_other_usd: string;
  cost_usd: string;
}

export const COST_COLUMNS = [
  'cost_input_usd',
  'cost_cache_read_usd',
  'cost_cache_write_usd',
  'cost_output_usd',
  'cost_other_usd',
  'cost_usd',
] as const satisfies readonly (keyof CostColumns)[];

/**
 * A breakdown in the row's money columns (0 when unpriced). `cost_usd` is the breakdown's total
 * (exact sum, rounded once); the per-bucket columns are each bucket's own rounded cost.
 */
export function costColumns(breakdown: PriceBreakdown | undefined): CostColumns {
  if (!breakdown) return UNPRICED;
  const buckets = breakdown.buckets;
  let other: string[] | undefined;
  for (const b in buckets) if (!MAIN_BUCKETS.has(b)) (other ??= []).push(b);
  const write5m = buckets['cache_write_5m']?.costUsd;
  const write1h = buckets['cache_write_1h']?.costUsd;
  return {
    cost_input_usd: costOf(buckets['input']),
    cost_cache_read_usd: costOf(buckets['cache_read']),
    cost_cache_write_usd:
      write5m === undefined
        ? costOf(buckets['cache_write_1h'])
        : write1h === undefined
          ? toScale12(write5m)
          : picoToUsd(usdToPico(write5m) + usdToPico(write1h)),
    cost_output_usd: costOf(buckets['output']),
    cost_other_usd: other ? sumOf(buckets, other) : ZERO,
    cost_usd: breakdown.priced ? toScale12(breakdown.costUsd) : ZERO,
  };
}

const UNPRICED: Readonly<CostColumns> = Object.freeze({
  cost_input_usd: ZERO,
  cost_cache_read_usd: ZERO,
  cost_cache_write_usd: ZERO,
  cost_output_usd: ZERO,
  cost_other_usd: ZERO,
  cost_usd: ZERO,
});

/** A bucket's cost with 12 decimals (0 when the call has no such bucket, or it has no cost). */
function costOf(bucket: { costUsd?: string } | null | undefined): string {
  const cost = bucket?.costUsd;
  return cost === undefined ? ZERO : toScale12(cost);
}

/** The exact sum of the named buckets' costs, with 12 decimals (one bucket: its cost as it is). */
function sumOf(buckets: PriceBreakdown['buckets'], names: readonly string[]): string {
  if (names.length === 1) return costOf(buckets[names[0] as string]);
  return picoToUsd(names.reduce((acc, name) => acc + usdToPico(buckets[name]?.costUsd ?? '0'), 0n));
}

export function priceCall(facts: ModelCallFacts, pricer: Pricer, now: () => number = Date.now): LlmCallRow {
  const { span, usage } = facts;
  const model = facts.responseModel || facts.requestModel;
  const toolCalls = toolCallsOf(span.attributes, usage?.toolCalls);
  const region = attrStringOf(span.attributes, CALL_REGION_KEYS) ?? '';
  // One bigint division per call: the price's date and the row's `ts` both come from it.
  const startMs = Number(span.startTimeUnixNano / 1_000_000n);
  let breakdown: PriceBreakdown | undefined;
  if (usage && !facts.usageMissing) {
    breakdown = pricer.price({
      provider: facts.provider,
      // The response model names the snapshot that ran; the request model is the fallback.
      model,
      fallbackModel: facts.requestModel !== model ? facts.requestModel : undefined,
      region: region || undefined,
      time: new Date(startMs),
      usage: usage.usage,
      serviceTier: facts.serviceTier || undefined,
      toolCalls,
      // Normalisation flags such as negative_bucket:* or invalid_usage:* must stop the pricing.
      flags: usage.flags,
    });
  }
  const u = usage?.usage;
  // A failed call without usage costs nothing and is priced by definition; so is a call that
  // reported zero tokens. Only a call with usage we could not price is `priced = false`.
  const priced = breakdown ? breakdown.priced : facts.status === 'error' && !u;
  // Fields listed, not spread: a spread in the literal makes V8 build the row the slow way.
  const costs = costColumns(breakdown);
  return {
    ts: dateTime64Text(startMs),
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    action_id: facts.actionId,
    service: facts.service,
    surface: facts.surface,
    customer: facts.customer,
    provider: facts.provider,
    request_model: facts.requestModel,
    response_model: facts.responseModel,
    operation: facts.operation,
    prompt_name: facts.promptName,
    prompt_version: facts.promptVersion,
    streaming: facts.streaming,
    service_tier: facts.serviceTier,
    input_tokens: usage?.inputTotal ?? 0,
    uncached_input_tokens: u?.inputTokens ?? 0,
    cache_read_tokens: u?.cacheReadTokens ?? 0,
    cache_write_tokens: (u?.cacheWrite5mTokens ?? 0) + (u?.cacheWrite1hTokens ?? 0),
    cache_write_1h_tokens: u?.cacheWrite1hTokens ?? 0,
    output_tokens: usage?.outputTotal ?? 0,
    reasoning_tokens: u?.reasoningTokens ?? 0,
    input_audio_tokens: u?.inputAudioTokens ?? 0,
    output_audio_tokens: u?.outputAudioTokens ?? 0,
    cost_input_usd: costs.cost_input_usd,
    cost_cache_read_usd: costs.cost_cache_read_usd,
    cost_cache_write_usd: costs.cost_cache_write_usd,
    cost_output_usd: costs.cost_output_usd,
    cost_other_usd: costs.cost_other_usd,
    cost_usd: costs.cost_usd,
    priced,
    price_source: breakdown?.source ?? '',
    price_version: breakdown?.sourceVersion ?? '',
    pricing_tier: breakdown?.tier ?? '',
    price_flags: flagsOf(usage?.flags, breakdown?.flags),
    usage_missing: facts.usageMissing,
    duration_ms: facts.durationMs,
    ttft_ms: facts.ttftMs,
    status: facts.status,
    error_type: facts.errorType,
    retry_attempt: facts.retryAttempt,
    sdk_retries: facts.sdkRetries,
    app_cache_hit: false,
    avoided_model: '',
    avoided_cost_usd: ZERO,
    action_outcome: 'unknown',
    dialect: facts.dialect.name,
    producer_cost_usd: facts.producerCostUsd,
    system_prompt_chars: facts.systemPromptChars,
    tool_calls: toolCalls,
    region,
    price_estimated: breakdown?.estimated ?? false,
    correction: '',
    priced_at: nowText(now()),
  };
}

/** Normalisation and pricing flags, each once (most calls have none). */
function flagsOf(a: readonly string[] = [], b: readonly string[] = []): string[] {
  if (b.length === 0 && a.length <= 1) return [...a];
  return [...new Set([...a, ...b])];
}

const MAIN_BUCKETS = new Set(['input', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'output']);

let lastMs = Number.NaN;
let lastText = '';

/** DateTime64(3) text of `ms` (every call row of the same millisecond shares one). */
export function nowText(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastText = dateTime64Text(ms);
  }
  return lastText;
}
