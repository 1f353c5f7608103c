/**
 * Realistic OTLP load for the collector benchmarks: traces of one Costline action span and three
 * model calls (OpenAI and Anthropic, cache and reasoning usage, a customer, a surface), made with
 * the real OTel SDK and serialised by the real exporter's protobuf serializer, in batches of 512
 * spans as the BatchSpanProcessor sends them, gzip-compressed as the exporters do by default.
 *
 * @module
 */

import { gzipSync } from 'node:zlib';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

export interface OtlpLoad {
  /** gzip-compressed `ExportTraceServiceRequest` protobuf bodies. */
  batches: Buffer[];
  spans: number;
  modelCalls: number;
  actions: number;
  /** Uncompressed bytes in all. */
  rawBytes: number;
}

const SURFACES = ['support-answer', 'ticket-triage', 'doc-summary', 'search-rerank'];

/**
 * Traces made and serialised this many at a time: a load of 100,000 traces held as SDK spans at once
 * (400,000 of them) took the benchmark past its 4 GB heap. A multiple of 128 traces (512 spans), so
 * every batch but the last is full.
 */
const CHUNK_TRACES = 8192;

export function makeOtlpLoad(traces: number, batchSize = 512): OtlpLoad {
  const batches: Buffer[] = [];
  let rawBytes = 0;
  let spanCount = 0;
  const t0 = Date.now() - 3_600_000;
  for (let first = 0; first < traces; first += CHUNK_TRACES) {
    const { spans } = makeTraces(Math.min(CHUNK_TRACES, traces - first), first, t0);
    const chunk = serialise(spans, batchSize);
    batches.push(...chunk.batches);
    rawBytes += chunk.rawBytes;
    spanCount += spans.length;
  }
  return { batches, rawBytes, spans: spanCount, modelCalls: traces * 3, actions: traces };
}

/**
 * A chunk of load whose action spans come `lag` traces after their calls (actions that stay open,
 * as long-running jobs do): `calls` holds this chunk's model calls, `actions` its action spans, to be
 * sent later by the caller.
 */
export function makeSplitTraces(traces: number): { calls: ReadableSpan[]; actions: ReadableSpan[] } {
  const { spans } = makeTraces(traces, 0, Date.now() - 3_600_000);
  const isAction = (s: ReadableSpan): boolean => s.attributes['costline.span.kind'] === 'action';
  return { calls: spans.filter((s) => !isAction(s)), actions: spans.filter(isAction) };
}

export function serialise(spans: ReadableSpan[], batchSize = 512): { batches: Buffer[]; rawBytes: number } {
  const batches: Buffer[] = [];
  let rawBytes = 0;
  for (let i = 0; i < spans.length; i += batchSize) {
    const raw = ProtobufTraceSerializer.serializeRequest(spans.slice(i, i + batchSize));
    if (!raw) throw new Error('serializer returned nothing');
    rawBytes += raw.length;
    batches.push(gzipSync(raw));
  }
  return { batches, rawBytes };
}

/** Traces `first` to `first + traces - 1` of a load whose first trace starts at `t0` (ms). */
function makeTraces(traces: number, first: number, t0: number): { spans: ReadableSpan[] } {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-app', 'service.version': '1.4.2' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('@costline/instrument', '0.1.0');
  for (let i = first; i < first + traces; i++) {
    const at = t0 + i * 5;
    const surface = SURFACES[i % SURFACES.length] ?? 'support-answer';
    const stamp = {
      'costline.surface': surface,
      'costline.customer.id': `cust-${i % 997}`,
    };
    const act = tracer.startSpan(`action ${surface}`, { startTime: at, attributes: stamp });
    const actionId = act.spanContext().spanId;
    act.setAttributes({ 'costline.span.kind': 'action', 'costline.action.id': actionId });
    const ctx = trace.setSpan(context.active(), act);
    for (let c = 0; c < 3; c++) {
      const anthropic = c === 1;
      const span = tracer.startSpan(
        anthropic ? 'chat claude-sonnet-4-5' : 'chat gpt-4o-mini',
        {
          kind: SpanKind.CLIENT,
          startTime: at + c,
          attributes: {
            ...stamp,
            'costline.action.id': actionId,
            'costline.retry.attempt': 0,
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': anthropic ? 'anthropic' : 'openai',
            'gen_ai.request.model': anthropic ? 'claude-sonnet-4-5' : 'gpt-4o-mini',
            'gen_ai.request.max_tokens': 1024,
            'gen_ai.request.stream': c === 2,
            'server.address': anthropic ? 'api.anthropic.com' : 'api.openai.com',
            'costline.request.system_prompt_chars': 2400,
          },
        },
        ctx,
      );
      span.setAttributes({
        'gen_ai.response.model': anthropic ? 'claude-sonnet-4-5-20250929' : 'gpt-4o-mini-2024-07-18',
        'gen_ai.response.id': `resp_${i}_${c}`,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': 1200 + (i % 300),
        'gen_ai.usage.cache_read.input_tokens': anthropic ? 1000 : 512,
        'gen_ai.usage.cache_write.input_tokens': anthropic ? 120 : 0,
        'gen_ai.usage.output_tokens': 300 + (i % 50),
        'gen_ai.usage.reasoning.output_tokens': anthropic ? 0 : 64,
        ...(anthropic ? { 'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': 0 } : {}),
        'openai.response.service_tier': 'default',
      });
      span.end(at + c + 400);
    }
    act.setAttributes({ 'costline.action.outcome': i % 10 === 0 ? 'failure' : 'success' });
    act.end(at + 1300);
  }
  return { spans: memory.getFinishedSpans() };
}
