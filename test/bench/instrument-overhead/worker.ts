/**
 * One configuration of the overhead benchmark, in its own process (instrumentations patch the SDK
 * process-wide, so configurations cannot share one): the same `openai` client, the same NodeSDK
 * with a batch processor and the OTLP/HTTP protobuf exporter to the mock, and one instrumentation —
 * or none, or the hand-made floor span. On `{ run: n }` it makes n sequential chat calls, flushes
 * the exporter, and replies with the main thread's CPU (user + system) per call and what the spans
 * held.
 *
 * Configs: `none`, `costline`, `otel` (@opentelemetry/instrumentation-openai), `traceloop`
 * (@traceloop/instrumentation-openai), `openinference` (@arizeai/openinference-instrumentation-openai),
 * `floor` (one span started and ended by hand with the same attributes as Costline's).
 * `otel` and `traceloop` declare `openai <7` and would not patch openai 7 at all: they are applied
 * to the module directly (their own patch function), so their cost is measured doing their work.
 *
 * @module
 */

import { createRequire } from 'node:module';
import { SpanKind, trace, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { CostlineOpenAIInstrumentation, createCostlineSpanProcessor } from '@costline/instrument';
import type * as OpenAIModule from 'openai';

const [config = 'none', mockUrl = ''] = process.argv.slice(2);
const require = createRequire(import.meta.url);

/** Forwards to the OTLP exporter and remembers the attribute keys seen, for the report. */
function tallyingExporter(inner: SpanExporter, keys: Set<string>, counts: { spans: number }): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]) {
      counts.spans += spans.length;
      for (const span of spans) for (const key of Object.keys(span.attributes)) keys.add(key);
      inner.export(spans, done);
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

const keys = new Set<string>();
const counts = { spans: 0 };
const batch = new BatchSpanProcessor({
  exporter: tallyingExporter(new OTLPTraceExporter({ url: `${mockUrl}/v1/traces` }), keys, counts),
});
const sdk = new NodeSDK({
  serviceName: `bench-${config}`,
  autoDetectResources: false,
  spanProcessors: config === 'costline' ? [createCostlineSpanProcessor(), batch] : [batch],
  metricReaders: [],
  logRecordProcessors: [],
});
sdk.start();

const openaiModule = require('openai') as typeof OpenAIModule;
type Patchable = { manuallyInstrument(module: unknown): void };
if (config === 'costline') new CostlineOpenAIInstrumentation().patchExports(openaiModule);
if (config === 'otel') {
  const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai') as {
    OpenAIInstrumentation: new () => {
      getModuleDefinitions(): { patch?: (m: unknown, v?: string) => unknown }[];
    };
  };
  new OpenAIInstrumentation().getModuleDefinitions()[0]?.patch?.(openaiModule, '7.60.0');
}
if (config === 'traceloop') {
  const { OpenAIInstrumentation } = require('@traceloop/instrumentation-openai') as {
    OpenAIInstrumentation: new () => Patchable;
  };
  new OpenAIInstrumentation().manuallyInstrument(openaiModule);
}
if (config === 'openinference') {
  const { OpenAIInstrumentation } = require('@arizeai/openinference-instrumentation-openai') as {
    OpenAIInstrumentation: new () => Patchable;
  };
  new OpenAIInstrumentation().manuallyInstrument(openaiModule);
}

const client = new openaiModule.OpenAI({ apiKey: 'sk-bench', baseURL: `${mockUrl}/v1`, maxRetries: 0 });
const SYSTEM = 'You are a support agent.';
const params = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system' as const, content: SYSTEM },
    { role: 'user' as const, content: 'How do I reset my password?' },
  ],
};
const floorTracer = trace.getTracer('bench-floor');

/** The floor: one span with the very attributes Costline records for this call, made by hand. */
async function floorCall(): Promise<void> {
  const span = floorTracer.startSpan('chat gpt-4o-mini', {
    kind: SpanKind.CLIENT,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': params.model,
      'gen_ai.request.stream': false,
      'server.address': '127.0.0.1',
      'costline.request.system_prompt_chars': SYSTEM.length,
      'costline.retry.attempt': 0,
    },
  });
  const completion = await client.chat.completions.create(params);
  const usage = completion.usage;
  const attributes: Attributes = {
    'gen_ai.response.id': completion.id,
    'gen_ai.response.model': completion.model,
    'gen_ai.response.finish_reasons': completion.choices.map((c) => c.finish_reason),
    'gen_ai.usage.input_tokens': usage?.prompt_tokens,
    'gen_ai.usage.output_tokens': usage?.completion_tokens,
    'gen_ai.usage.cache_read.input_tokens': usage?.prompt_tokens_details?.cached_tokens,
    'gen_ai.usage.reasoning.output_tokens': usage?.completion_tokens_details?.reasoning_tokens,
  };
  if (completion.service_tier) attributes['openai.response.service_tier'] = completion.service_tier;
  span.setAttributes(attributes);
  span.end();
}

const call = config === 'floor' ? floorCall : async () => void (await client.chat.completions.create(params));

/** `process.threadCpuUsage` (Node ≥ 22.19 / 23.9), else the whole process's `cpuUsage`. */
const threadCpu = (process as { threadCpuUsage?: (prev?: NodeJS.CpuUsage) => NodeJS.CpuUsage })
  .threadCpuUsage;
const cpu = (prev?: NodeJS.CpuUsage): NodeJS.CpuUsage =>
  threadCpu ? threadCpu.call(process, prev) : process.cpuUsage(prev);

process.on('message', (message: { run?: number; stop?: true }) => {
  void (async () => {
    if (message.stop) {
      await sdk.shutdown();
      process.exit(0);
    }
    const n = message.run ?? 0;
    // The main thread's CPU (where the SDK, the instrumentation and the exporter's serialisation
    // run): V8's helper threads are left out, which keeps other load on the machine out too.
    const before = cpu();
    for (let i = 0; i < n; i++) await call();
    await batch.forceFlush();
    const used = cpu(before);
    process.send?.({
      cpuUsPerCall: (used.user + used.system) / n,
      spans: counts.spans,
      keys: [...keys].sort(),
    });
  })();
});
process.send?.({ ready: true });
