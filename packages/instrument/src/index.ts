/**
 * `@costline/instrument`: tags every LLM call with surface, tokens, cache and outcome as
 * OpenTelemetry spans. Start it with `@costline/instrument/register`, or add
 * `costlineInstrumentations()` and `createCostlineSpanProcessor()` to your own SDK.
 *
 * @module
 */

export { action } from './action.ts';
export type { Action, ActionOptions } from './action.ts';
export { recordOutcome, OutcomeError } from './action-outcome.ts';
export type { OutcomeOptions } from './action-outcome.ts';
export type { AvoidedCall } from './app-cache-span.ts';
export { createCostlineSpanProcessor } from './span-processor.ts';
export { costlineInstrumentations, INSTRUMENTED_MODULES } from './instrumentations.ts';
export {
  CostlineOpenAIInstrumentation,
  OPENAI_SUPPORTED_VERSIONS,
  OPENAI_STREAM_USAGE_ENV,
} from './openai-instrumentation.ts';
export type { CostlineOpenAIConfig } from './openai-instrumentation.ts';
export {
  CostlineGoogleGenAIInstrumentation,
  GOOGLE_GENAI_SUPPORTED_VERSIONS,
} from './google-genai-instrumentation.ts';
export { CostlineBedrockInstrumentation, BEDROCK_SUPPORTED_VERSIONS } from './bedrock-instrumentation.ts';
export {
  CostlineAnthropicInstrumentation,
  ANTHROPIC_SUPPORTED_VERSIONS,
  ANTHROPIC_NATIVE_SCOPE,
} from './anthropic-instrumentation.ts';
export { startCostline, shutdown, forceFlush, registerEsmLoader } from './sdk-start.ts';
export type { StartOptions } from './sdk-start.ts';
export { VERSION } from './version.ts';
