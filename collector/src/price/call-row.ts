/**
 * Turns a recognised model call into its `llm_calls` row: prices the usage buckets and lays the
 * breakdown out in columns.
 *
 * @module
 */

import type { PriceBreakdown, Pricer } from '@costline/pricing';
import type { ModelCallFacts } from '../recognise/model-call.ts';
import { picoToUsd, usdToPico } from '../store/money.ts';
import { nanosToDateTime64 } from '../store/rows.ts';
import type { LlmCallRow } from '../store/rows.ts';

const ZERO = '0.000000000000';

export function priceCall(facts: ModelCallFacts, pricer: Pricer): LlmCallRow {
  const { span, usage } = facts;
  const model = facts.responseModel || facts.requestModel;
  let breakdown: PriceBreakdown | undefined;
  if (usage && !facts.usageMissing) {
    breakdown = pricer.price({
      provider: facts.provider,
      model,
      time: new Date(Number(span.startTimeUnixNano / 1_000_000n)),
      usage: usage.usage,
      serviceTier: facts.serviceTier || undefined,
      // Normalisation flags such as negative_bucket:* or invalid_usage:* must stop the pricing.
      flags: usage.flags,
    });
  }
  const u = usage?.usage;
  const cost = (names: string[]): string =>
    picoToUsd(names.reduce((acc, n) => acc + usdToPico(breakdown?.buckets[n]?.costUsd ?? '0'), 0n));
  const otherBuckets = breakdown ? Object.keys(breakdown.buckets).filter((b) => !MAIN_BUCKETS.has(b)) : [];
  // A failed call without usage costs nothing and is priced by definition; so is a call that
  // reported zero tokens. Only a call with usage we could not price is `priced = false`.
  const priced = breakdown ? breakdown.priced : facts.status === 'error' && !u;
  return {
    ts: nanosToDateTime64(span.startTimeUnixNano),
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
    cost_input_usd: cost(['input']),
    cost_cache_read_usd: cost(['cache_read']),
    cost_cache_write_usd: cost(['cache_write_5m', 'cache_write_1h']),
    cost_output_usd: cost(['output']),
    cost_other_usd: cost(otherBuckets),
    cost_usd: breakdown?.priced ? picoToUsd(usdToPico(breakdown.costUsd)) : ZERO,
    priced,
    price_source: breakdown?.source ?? '',
    price_version: breakdown?.sourceVersion ?? '',
    pricing_tier: breakdown?.tier ?? '',
    price_flags: [...new Set([...(usage?.flags ?? []), ...(breakdown?.flags ?? [])])],
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
  };
}

const MAIN_BUCKETS = new Set(['input', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'output']);
