/**
 * The LLM SDK instrumentations, for an application that runs its own OpenTelemetry SDK: pass them
 * to `registerInstrumentations()` or `new NodeSDK({ instrumentations })`, with
 * `createCostlineSpanProcessor()` among its span processors.
 *
 * @module
 */

import type { Instrumentation } from '@opentelemetry/instrumentation';
import { CostlineAnthropicInstrumentation } from './anthropic-instrumentation.ts';
import { CostlineBedrockInstrumentation } from './bedrock-instrumentation.ts';
import { CostlineGoogleGenAIInstrumentation } from './google-genai-instrumentation.ts';
import { CostlineOpenAIInstrumentation, type CostlineOpenAIConfig } from './openai-instrumentation.ts';

/** Module names the instrumentations patch (for an ESM loader hook's `include` list). */
export const INSTRUMENTED_MODULES = [
  'openai',
  '@anthropic-ai/sdk',
  '@google/genai',
  '@aws-sdk/client-bedrock-runtime',
] as const;

/** `config` goes to every instrumentation; `requestStreamUsage` matters to the OpenAI one only. */
export function costlineInstrumentations(config: CostlineOpenAIConfig = {}): Instrumentation[] {
  const { requestStreamUsage: _openaiOnly, ...common } = config;
  return [
    new CostlineOpenAIInstrumentation(config),
    new CostlineAnthropicInstrumentation(common),
    new CostlineGoogleGenAIInstrumentation(common),
    new CostlineBedrockInstrumentation(common),
  ];
}
