/**
 * Sends a traffic set to a running collector as real OTLP/HTTP protobuf from the OpenTelemetry
 * SDK's own exporter: spans shaped as `@costline/instrument` writes them (action spans, model-call
 * spans with GenAI usage, app-cache spans), with the plan's timestamps.
 *
 * @module
 */

import type { Attributes, Context } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import {
  COSTLINE_ACTION_FAILURE_REASON,
  COSTLINE_ACTION_ID,
  COSTLINE_ACTION_OUTCOME,
  COSTLINE_APP_CACHE_AVOIDED_MODEL,
  COSTLINE_APP_CACHE_AVOIDED_PROVIDER,
  COSTLINE_APP_CACHE_HIT,
  COSTLINE_CUSTOMER_ID,
  COSTLINE_EARLY_EXIT_RULE,
  COSTLINE_INSTRUMENTATION_SCOPE,
  COSTLINE_RETRY_ATTEMPT,
  COSTLINE_SPAN_KIND,
  COSTLINE_SPAN_KIND_VALUE,
  COSTLINE_SURFACE,
  ERROR_TYPE,
  GEN_AI_OPERATION_NAME,
  GEN_AI_PROVIDER_NAME,
  GEN_AI_REQUEST_MODEL,
  GEN_AI_RESPONSE_MODEL,
  GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  GEN_AI_USAGE_INPUT_TOKENS,
  GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '@costline/semconv';
import { SHAPES } from './traffic.ts';
import type { PlannedAction, PlannedCall, ShapeId, TrafficSet } from './traffic.ts';

/** What the app-cache answers stand in for. */
export const AVOIDED = { provider: 'openai', model: 'gpt-4o-mini' } as const;

function usageAttributes(shape: ShapeId): Attributes {
  const s = SHAPES[shape];
  return {
    [GEN_AI_USAGE_INPUT_TOKENS]: s.input,
    [GEN_AI_USAGE_OUTPUT_TOKENS]: s.output,
    ...(s.provider === 'anthropic' || s.cacheRead > 0
      ? { [GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: s.cacheRead }
      : {}),
    ...(s.provider === 'anthropic' ? { [GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS]: s.cacheWrite } : {}),
    ...(s.reasoning > 0 ? { [GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: s.reasoning } : {}),
  };
}

/** Sends the set; resolves with each action's trace id (the SDK makes them), by action id. */
export async function sendTraffic(collectorUrl: string, traffic: TrafficSet): Promise<Map<string, string>> {
  const traceIds = new Map<string, string>();
  const providers = new Map<string, TracerProvider>();
  const providerFor = (service: string): TracerProvider => {
    let p = providers.get(service);
    if (!p) {
      const exporter = new OTLPTraceExporter({ url: `${collectorUrl}/v1/traces` });
      p = new TracerProvider({
        resource: resourceFromAttributes({ 'service.name': service }),
        spanProcessors: [
          new BatchSpanProcessor({
            exporter,
            maxExportBatchSize: 256,
            maxQueueSize: 100_000,
            scheduledDelayMillis: 50,
          }),
        ],
      });
      providers.set(service, p);
    }
    return p;
  };
  for (const a of traffic.actions) traceIds.set(a.id, emitAction(providerFor(a.service), a));
  for (const c of traffic.lone) {
    const tracer = providerFor(c.service).getTracer(COSTLINE_INSTRUMENTATION_SCOPE);
    const s = SHAPES[c.shape];
    const span = tracer.startSpan(
      `chat ${s.model}`,
      { kind: SpanKind.CLIENT, startTime: c.startMs, attributes: modelAttributes(c.shape, false) },
      ROOT_CONTEXT,
    );
    span.end(c.startMs + c.durationMs);
  }
  for (const p of providers.values()) {
    await p.forceFlush();
    await p.shutdown();
  }
  return traceIds;
}

function modelAttributes(shape: ShapeId, failed: boolean): Attributes {
  const s = SHAPES[shape];
  return {
    [GEN_AI_OPERATION_NAME]: 'chat',
    [GEN_AI_PROVIDER_NAME]: s.provider,
    [GEN_AI_REQUEST_MODEL]: s.model,
    ...(failed ? { [ERROR_TYPE]: '429' } : { [GEN_AI_RESPONSE_MODEL]: s.model, ...usageAttributes(shape) }),
  };
}

function emitAction(provider: TracerProvider, a: PlannedAction): string {
  const tracer = provider.getTracer(COSTLINE_INSTRUMENTATION_SCOPE);
  const stamp: Attributes = {
    [COSTLINE_SURFACE]: a.surface,
    [COSTLINE_ACTION_ID]: a.id,
    ...(a.customer ? { [COSTLINE_CUSTOMER_ID]: a.customer } : {}),
  };
  const span = tracer.startSpan(
    `action ${a.surface}`,
    {
      kind: SpanKind.INTERNAL,
      startTime: a.startMs,
      attributes: {
        [COSTLINE_SPAN_KIND]: COSTLINE_SPAN_KIND_VALUE.action,
        ...stamp,
        ...(a.outcome !== 'unknown' ? { [COSTLINE_ACTION_OUTCOME]: a.outcome } : {}),
        ...(a.reason ? { [COSTLINE_ACTION_FAILURE_REASON]: a.reason } : {}),
        ...(a.answered?.rule ? { [COSTLINE_EARLY_EXIT_RULE]: a.answered.rule } : {}),
      },
    },
    ROOT_CONTEXT,
  );
  const ctx: Context = trace.setSpan(ROOT_CONTEXT, span);
  if (a.answered) {
    const hit = tracer.startSpan(
      `app_cache ${a.surface}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: a.startMs + 1,
        attributes: {
          ...stamp,
          [COSTLINE_SPAN_KIND]: COSTLINE_SPAN_KIND_VALUE.appCache,
          [COSTLINE_APP_CACHE_HIT]: true,
          [COSTLINE_APP_CACHE_AVOIDED_MODEL]: AVOIDED.model,
          [COSTLINE_APP_CACHE_AVOIDED_PROVIDER]: AVOIDED.provider,
          ...(a.answered.rule ? { [COSTLINE_EARLY_EXIT_RULE]: a.answered.rule } : {}),
        },
      },
      ctx,
    );
    hit.end(a.startMs + 2);
  }
  for (const c of a.calls) emitCall(tracer, ctx, stamp, a, c);
  if (a.outcome === 'failure') span.setStatus({ code: SpanStatusCode.ERROR, message: a.reason });
  span.end(a.startMs + a.durationMs);
  return span.spanContext().traceId;
}

function emitCall(
  tracer: ReturnType<TracerProvider['getTracer']>,
  ctx: Context,
  stamp: Attributes,
  a: PlannedAction,
  c: PlannedCall,
): void {
  const s = SHAPES[c.shape];
  const span = tracer.startSpan(
    `chat ${s.model}`,
    {
      kind: SpanKind.CLIENT,
      startTime: a.startMs + c.offsetMs,
      attributes: {
        ...modelAttributes(c.shape, c.failed),
        ...stamp,
        [COSTLINE_RETRY_ATTEMPT]: c.retryAttempt,
      },
    },
    ctx,
  );
  if (c.failed) span.setStatus({ code: SpanStatusCode.ERROR, message: '429' });
  span.end(a.startMs + c.offsetMs + c.durationMs);
}
