/**
 * The spans the in-process crash tests send, made with the real OTel SDK (serialised by the real
 * exporter's protobuf serializer, one request per span as a SimpleSpanProcessor sends them): Costline
 * actions as @costline/instrument emits them, and another producer's trace with no action span.
 *
 * @module
 */

import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Attributes, SpanContext, Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { serialise } from '../bench/support/otlp-batches.ts';

export interface SpanRecorder {
  provider: TracerProvider;
  costline: Tracer;
  /** The spans ended so far, in the order they ended. */
  finished(): ReadableSpan[];
}

export function spanRecorder(): SpanRecorder {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'crash-app' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  return {
    provider,
    costline: provider.getTracer('@costline/instrument', '0.1.0'),
    // A copy: the exporter hands out its own array, which grows as spans end.
    finished: () => [...memory.getFinishedSpans()],
  };
}

/** One gzip OTLP request per span. */
export function requests(spans: ReadableSpan[]): Buffer[] {
  return serialise(spans, 1).batches;
}

export function isCall(s: ReadableSpan): boolean {
  return s.attributes['gen_ai.operation.name'] === 'chat';
}

const chat = (input: number, output: number): Attributes => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': input,
  'gen_ai.usage.output_tokens': output,
});

/** A Costline model call of the action `action` (its span context), 250 output tokens. */
export function costlineCall(tracer: Tracer, action: SpanContext, at: number, input: number): void {
  tracer
    .startSpan(
      'chat gpt-4o',
      {
        kind: SpanKind.CLIENT,
        startTime: at,
        attributes: {
          ...chat(input, 250),
          'gen_ai.provider.name': 'openai',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'costline.surface': 'support-answer',
          'costline.action.id': action.spanId,
        },
      },
      trace.setSpanContext(context.active(), action),
    )
    .end(at + 390);
}

/** A Costline action span (outcome success) with model calls of `inputs` input tokens under it. */
export function costlineAction(tracer: Tracer, at: number, inputs: number[] = [1000, 2000]): SpanContext {
  const act = tracer.startSpan('action support-answer', {
    startTime: at,
    attributes: { 'costline.surface': 'support-answer' },
  });
  const ctx = act.spanContext();
  act.setAttributes({ 'costline.span.kind': 'action', 'costline.action.id': ctx.spanId });
  for (const [i, input] of inputs.entries()) costlineCall(tracer, ctx, at + 10 + i, input);
  act.setAttributes({ 'costline.action.outcome': 'success' });
  act.end(at + 500);
  return ctx;
}

/** Another producer's trace: an HTTP server root, a Traceloop workflow, an OpenAI call (1000 in, 100 out). */
export function foreignTrace(provider: TracerProvider, at: number): void {
  const root = provider.getTracer('@opentelemetry/instrumentation-http').startSpan('POST /triage', {
    kind: SpanKind.SERVER,
    startTime: at,
    attributes: { 'http.route': '/triage' },
  });
  const workflow = provider
    .getTracer('traceloop')
    .startSpan(
      'triage workflow',
      { startTime: at + 1, attributes: { 'traceloop.workflow.name': 'ticket-triage' } },
      trace.setSpan(context.active(), root),
    );
  provider
    .getTracer('opentelemetry.instrumentation.openai.v1', '0.40.0')
    .startSpan(
      'chat gpt-4o',
      {
        kind: SpanKind.CLIENT,
        startTime: at + 2,
        attributes: { ...chat(1000, 100), 'gen_ai.system': 'openai' },
      },
      trace.setSpan(context.active(), workflow),
    )
    .end(at + 300);
  workflow.end(at + 310);
  root.end(at + 320);
}
