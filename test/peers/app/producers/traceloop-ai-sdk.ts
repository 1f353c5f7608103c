/**
 * The Traceloop SDK (`@traceloop/node-server-sdk` 0.27) rewriting Vercel AI SDK v5 spans: its span
 * processor renames both `ai.generateText` and its `doGenerate` child to `chat {model}` and gives
 * both `gen_ai.usage.*` (DIALECTS.md §2.2). Its processor, with the app's OTLP exporter, is the
 * only span processor, as `createSpanProcessor` is meant to be used with an existing OTel set-up.
 *
 * @module
 */

import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ALL_INSTRUMENTATION_LIBRARIES, createSpanProcessor } from '@traceloop/node-server-sdk';
import { aiV5Producer } from './ai-sdk.ts';
import { dumpExporter } from '../tracing.ts';
import type { OwnTracingProducer } from './producer.ts';

export const traceloopAiSdk: OwnTracingProducer = async () => {
  const exporter = new OTLPTraceExporter({ url: `${process.env['COLLECTOR_URL'] ?? ''}/v1/traces` });
  const processor = createSpanProcessor({
    exporter: exporter,
    disableBatch: true,
    allowedInstrumentationLibraries: ALL_INSTRUMENTATION_LIBRARIES,
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'peer-traceloop-ai-sdk' }),
    spanProcessors: [
      processor,
      ...(process.env['PEER_DUMP']
        ? [new SimpleSpanProcessor({ exporter: dumpExporter(process.env['PEER_DUMP']) })]
        : []),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  const run = await aiV5Producer({
    provider,
    tracer: provider.getTracer('peer-app'),
    shutdown: () => provider.shutdown(),
  });
  return { run, provider };
};
