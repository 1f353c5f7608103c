/**
 * The LLM SDK instrumentations, for an application that runs its own OpenTelemetry SDK: pass them
 * to `registerInstrumentations()` or `new NodeSDK({ instrumentations })`, with
 * `createCostlineSpanProcessor()` among its span processors.
 *
 * @module
 */

import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation';
import { CostlineAnthropicInstrumentation } from './anthropic-instrumentation.ts';
import { CostlineOpenAIInstrumentation } from './openai-instrumentation.ts';

/** Module names the instrumentations patch (for an ESM loader hook's `include` list). */
export const INSTRUMENTED_MODULES = ['openai', '@anthropic-ai/sdk'] as const;

export function costlineInstrumentations(config: InstrumentationConfig = {}): Instrumentation[] {
  return [new CostlineOpenAIInstrumentation(config), new CostlineAnthropicInstrumentation(config)];
}
