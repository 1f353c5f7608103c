/**
 * The peer app's OpenTelemetry set-up, as a team using another producer would have it: a tracer
 * provider with the real OTLP/HTTP (protobuf) exporter pointed at the collector, and async context.
 *
 * @module
 */

import { context, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { appendFileSync } from 'node:fs';
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

export interface PeerTracing {
  provider: TracerProvider;
  tracer: Tracer;
  shutdown(): Promise<void>;
}

export function startTracing(service: string): PeerTracing {
  const exporter = new OTLPTraceExporter({ url: `${process.env['COLLECTOR_URL'] ?? ''}/v1/traces` });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [
      new BatchSpanProcessor({ exporter, scheduledDelayMillis: 50 }),
      ...(process.env['PEER_DUMP']
        ? [new SimpleSpanProcessor({ exporter: dumpExporter(process.env['PEER_DUMP']) })]
        : []),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return {
    provider,
    tracer: provider.getTracer('peer-app'),
    async shutdown() {
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}

/** Writes each span as a JSON line (name, scope, parent, attributes) to look at what a producer emits. */
export function dumpExporter(file: string): SpanExporter {
  return {
    export(spans: ReadableSpan[], done) {
      for (const s of spans) {
        const line = {
          name: s.name,
          scope: `${s.instrumentationScope.name}@${s.instrumentationScope.version ?? ''}`,
          kind: s.kind,
          spanId: s.spanContext().spanId,
          parent: s.parentSpanContext?.spanId ?? '',
          status: s.status.code,
          attributes: s.attributes,
        };
        appendFileSync(file, `${JSON.stringify(line)}\n`);
      }
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
  };
}
