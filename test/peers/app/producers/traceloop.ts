/**
 * OpenLLMetry / Traceloop: `@traceloop/instrumentation-openai` and `-anthropic`, registered by hand
 * (`manuallyInstrument`) as its docs show for bundled or ESM apps. The Anthropic SDK's own tracing
 * stays on (its default, from 0.134.0), so every Anthropic call has Traceloop's span with the SDK's span under it.
 *
 * @module
 */

import { AnthropicInstrumentation } from '@traceloop/instrumentation-anthropic';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import type { Producer } from './producer.ts';
import { loadAnthropic, loadOpenAI, sdkCall, sdkClients } from '../sdk-calls.ts';

export const traceloop: Producer = (tracing) => {
  // Traceloop 0.27 patches openai ">=4 <7" and the Anthropic SDK's 0.x resources (`Completions`).
  const OpenAI = loadOpenAI('openai-v6');
  const Anthropic = loadAnthropic('anthropic-sdk-v0');
  const openaiInst = new OpenAIInstrumentation();
  openaiInst.setTracerProvider(tracing.provider);
  openaiInst.manuallyInstrument(OpenAI.OpenAI);
  const anthropicInst = new AnthropicInstrumentation();
  anthropicInst.setTracerProvider(tracing.provider);
  anthropicInst.manuallyInstrument(Anthropic as never);
  const clients = sdkClients(OpenAI, Anthropic);
  return (s) => sdkCall(clients, s);
};
