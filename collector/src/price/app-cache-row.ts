/**
 * The `llm_calls` row of an answer served from the application's cache or by a rule: cost 0, with
 * the model it replaced and that model's avoided cost.
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
import type { DecodedSpan } from '../otlp/span.ts';
import { attrString } from '../recognise/attributes.ts';
import { nanosToDateTime64 } from '../store/rows.ts';
import type { LlmCallRow } from '../store/rows.ts';
import type { AvoidedCostEstimator } from './avoided-cost.ts';

const ZERO = '0.000000000000';

export function appCacheRow(span: DecodedSpan, estimator: AvoidedCostEstimator): LlmCallRow {
  const a = span.attributes;
  const surface = attrString(a, COSTLINE_SURFACE) ?? '';
  const model = attrString(a, COSTLINE_APP_CACHE_AVOIDED_MODEL) ?? '';
  return {
    ts: nanosToDateTime64(span.startTimeUnixNano),
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    action_id: attrString(a, COSTLINE_ACTION_ID) ?? '',
    service: attrString(span.resource, 'service.name') ?? 'unknown_service',
    surface,
    customer: attrString(a, COSTLINE_CUSTOMER_ID) ?? '',
    provider: attrString(a, COSTLINE_APP_CACHE_AVOIDED_PROVIDER) ?? '',
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
    cost_input_usd: ZERO,
    cost_cache_read_usd: ZERO,
    cost_cache_write_usd: ZERO,
    cost_output_usd: ZERO,
    cost_other_usd: ZERO,
    cost_usd: ZERO,
    priced: true,
    price_source: '',
    price_version: '',
    pricing_tier: '',
    price_flags: [],
    usage_missing: false,
    duration_ms: Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6,
    ttft_ms: null,
    status: 'ok',
    error_type: '',
    retry_attempt: 0,
    sdk_retries: 0,
    app_cache_hit: true,
    avoided_model: model,
    avoided_cost_usd: model ? estimator.estimate(surface, model) : ZERO,
    action_outcome: 'unknown',
    dialect: 'costline',
    system_prompt_chars: 0,
    producer_cost_usd: null,
  };
}
