/**
 * The `llm_calls` row of an answer served from the application's cache or by a rule: cost 0, with
 * the model it replaced and that model's avoided cost — priced from the tokens the application
 * passes (`costline.app_cache.avoided_input_tokens` / `…_output_tokens`), else the surface's recent
 * average cost per call on that model. Either way an estimate: `price_estimated` is true and
 * `price_flags` says which (`avoided_cost:from_tokens` / `avoided_cost:surface_average`).
 *
 * @module
 */

import {
  COSTLINE_ACTION_ID,
  COSTLINE_APP_CACHE_AVOIDED_MODEL,
  COSTLINE_APP_CACHE_AVOIDED_PROVIDER,
  COSTLINE_CUSTOMER_ID,
  COSTLINE_SURFACE,
} from '@costline/semconv';
import type { Pricer } from '@costline/pricing';
import type { DecodedSpan } from '../otlp/span.ts';
import { attrInt, attrString } from '../recognise/attributes.ts';
import { picoToUsd, usdToPico } from '../store/money.ts';
import { nanosToDateTime64 } from '../store/rows.ts';
import type { LlmCallRow } from '../store/rows.ts';
import type { AvoidedCostEstimator } from './avoided-cost.ts';
import { costColumns } from './call-row.ts';

const ZERO = '0.000000000000';

/** Token counts the application may pass for the call it avoided. (Kept here until they move to @costline/semconv.) */
export const APP_CACHE_AVOIDED_INPUT_TOKENS = 'costline.app_cache.avoided_input_tokens';
export const APP_CACHE_AVOIDED_OUTPUT_TOKENS = 'costline.app_cache.avoided_output_tokens';

function avoidedCost(
  span: DecodedSpan,
  provider: string,
  model: string,
  surface: string,
  estimator: AvoidedCostEstimator,
  pricer: Pricer | undefined,
): { usd: string; flag: string } | undefined {
  if (!model) return undefined;
  const input = attrInt(span.attributes, APP_CACHE_AVOIDED_INPUT_TOKENS);
  const output = attrInt(span.attributes, APP_CACHE_AVOIDED_OUTPUT_TOKENS);
  if (pricer && provider && (input !== undefined || output !== undefined)) {
    const b = pricer.price({
      provider,
      model,
      time: new Date(Number(span.startTimeUnixNano / 1_000_000n)),
      usage: {
        inputTokens: Math.max(0, input ?? 0),
        cacheReadTokens: 0,
        cacheWrite5mTokens: 0,
        cacheWrite1hTokens: 0,
        outputTokens: Math.max(0, output ?? 0),
        reasoningTokens: 0,
        inputAudioTokens: 0,
        outputAudioTokens: 0,
      },
    });
    if (b.priced) return { usd: picoToUsd(usdToPico(b.costUsd)), flag: 'avoided_cost:from_tokens' };
  }
  return { usd: estimator.estimate(surface, model), flag: 'avoided_cost:surface_average' };
}

export function appCacheRow(span: DecodedSpan, estimator: AvoidedCostEstimator, pricer?: Pricer): LlmCallRow {
  const a = span.attributes;
  const surface = attrString(a, COSTLINE_SURFACE) ?? '';
  const model = attrString(a, COSTLINE_APP_CACHE_AVOIDED_MODEL) ?? '';
  const provider = attrString(a, COSTLINE_APP_CACHE_AVOIDED_PROVIDER) ?? '';
  const avoided = avoidedCost(span, provider, model, surface, estimator, pricer);
  return {
    ts: nanosToDateTime64(span.startTimeUnixNano),
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    action_id: attrString(a, COSTLINE_ACTION_ID) ?? '',
    service: attrString(span.resource, 'service.name') ?? 'unknown_service',
    surface,
    customer: attrString(a, COSTLINE_CUSTOMER_ID) ?? '',
    provider,
    request_model: model,
    response_model: '',
    operation: 'app_cache',
    prompt_name: '',
    prompt_version: '',
    streaming: false,
    service_tier: '',
    input_tokens: 0,
    uncached_input_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cache_write_1h_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    input_audio_tokens: 0,
    output_audio_tokens: 0,
    // An answer from the app's own cache costs nothing.
    ...costColumns(undefined),
    priced: true,
    price_source: '',
    price_version: '',
    pricing_tier: '',
    price_flags: avoided ? [avoided.flag] : [],
    usage_missing: false,
    duration_ms: Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6,
    ttft_ms: null,
    status: 'ok',
    error_type: '',
    retry_attempt: 0,
    sdk_retries: 0,
    app_cache_hit: true,
    avoided_model: model,
    avoided_cost_usd: avoided?.usd ?? ZERO,
    action_outcome: 'unknown',
    dialect: 'costline',
    system_prompt_chars: 0,
    tool_calls: {},
    region: '',
    price_estimated: avoided !== undefined,
    correction: '',
    priced_at: new Date().toISOString().replace('T', ' ').replace('Z', ''),
    producer_cost_usd: null,
  };
}
