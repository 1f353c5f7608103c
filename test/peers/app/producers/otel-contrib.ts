/**
 * The OpenTelemetry contrib `@opentelemetry/instrumentation-openai` 0.22, registered the usual way
 * (`registerInstrumentations`, then `require('openai')`), on openai 6 (it patches ">=4.19.0 <7").
 *
 * @module
 */

import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { loadOpenAI, sdkCall, sdkClients } from '../sdk-calls.ts';
import type { Producer } from './producer.ts';

export const otelContribOpenAI: Producer = (tracing) => {
  registerInstrumentations({
    tracerProvider: tracing.provider,
    instrumentations: [new OpenAIInstrumentation()],
  });
  const clients = sdkClients(loadOpenAI('openai-v6'));
  return (s) => sdkCall(clients, s);
};
