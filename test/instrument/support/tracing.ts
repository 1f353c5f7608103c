/**
 * Test tracing for the instrumentation tests against the provider simulator: the real Node SDK
 * (AsyncLocalStorage context, global tracer provider) exporting to memory behind the Costline span
 * processor, and Costline's instrumentations applied to the SDK modules this ESM test process
 * imported (require hooks never see an `import`).
 */

import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import * as anthropicModule from '@anthropic-ai/sdk';
import * as bedrockModule from '@aws-sdk/client-bedrock-runtime';
import * as genaiModule from '@google/genai';
import * as openaiModule from 'openai';
import {
  CostlineAnthropicInstrumentation,
  CostlineBedrockInstrumentation,
  CostlineGoogleGenAIInstrumentation,
  CostlineOpenAIInstrumentation,
  createCostlineSpanProcessor,
  type CostlineOpenAIConfig,
} from '@costline/instrument';

export interface TestTracing {
  readonly exporter: InMemorySpanExporter;
  readonly openai: CostlineOpenAIInstrumentation;
  readonly genai: CostlineGoogleGenAIInstrumentation;
  readonly bedrock: CostlineBedrockInstrumentation;
  spans(): ReadableSpan[];
  byName(name: string): ReadableSpan[];
  reset(): void;
  stop(): Promise<void>;
}

export function startTestTracing(openaiConfig: CostlineOpenAIConfig = {}): TestTracing {
  const exporter = new InMemorySpanExporter();
  const sdk = new NodeSDK({
    autoDetectResources: false,
    serviceName: 'instrument-sim-test',
    spanProcessors: [createCostlineSpanProcessor(), new SimpleSpanProcessor({ exporter })],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  const openai = new CostlineOpenAIInstrumentation(openaiConfig);
  openai.patchExports(openaiModule);
  const anthropic = new CostlineAnthropicInstrumentation();
  anthropic.patchExports(anthropicModule);
  const genai = new CostlineGoogleGenAIInstrumentation();
  genai.patchExports(genaiModule);
  const bedrock = new CostlineBedrockInstrumentation();
  bedrock.patchExports(bedrockModule);
  return {
    exporter,
    openai,
    genai,
    bedrock,
    spans: () => exporter.getFinishedSpans(),
    byName: (name) => exporter.getFinishedSpans().filter((s) => s.name === name),
    reset: () => exporter.reset(),
    async stop() {
      openai.unpatchExports(openaiModule);
      anthropic.unpatchExports(anthropicModule);
      genai.unpatchExports(genaiModule);
      bedrock.unpatchExports(bedrockModule);
      await sdk.shutdown();
    },
  };
}

/** Waits until `count` spans named `name` ended (span ends follow the SDK's promise by a tick). */
export async function waitForSpans(tracing: TestTracing, name: string, count = 1): Promise<ReadableSpan[]> {
  for (let i = 0; i < 400; i++) {
    const found = tracing.byName(name);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(
    `expected ${count} span(s) named ${name}, saw: ${tracing
      .spans()
      .map((s) => s.name)
      .join(', ')}`,
  );
}
