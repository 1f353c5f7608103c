/**
 * OpenInference (`@arizeai/openinference-instrumentation-openai` 4.2.7, `-anthropic` 0.2.8) over the
 * current openai 7 and Anthropic SDK 1.x, registered with `manuallyInstrument` as its README shows
 * for ESM apps. The peer test turns the Anthropic SDK's own tracing off
 * (`ANTHROPIC_OPEN_TELEMETRY=false`) so OpenInference's own Anthropic reading is what gets priced.
 *
 * @module
 */

import { AnthropicInstrumentation } from '@arizeai/openinference-instrumentation-anthropic';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { loadAnthropic, loadOpenAI, sdkCall, sdkClients } from '../sdk-calls.ts';
import type { Producer } from './producer.ts';

export const openinference: Producer = (tracing) => {
  const OpenAI = loadOpenAI();
  const Anthropic = loadAnthropic();
  const openaiInst = new OpenAIInstrumentation({ tracerProvider: tracing.provider });
  openaiInst.manuallyInstrument(OpenAI);
  const anthropicInst = new AnthropicInstrumentation({ tracerProvider: tracing.provider });
  anthropicInst.manuallyInstrument(Anthropic);
  const clients = sdkClients(OpenAI, Anthropic);
  return (s) => sdkCall(clients, s);
};
