/**
 * Langfuse 5 (`@langfuse/openai` `observeOpenAI` on the current openai 7): its generations are
 * `langfuse-sdk` spans with `langfuse.observation.usage_details` (a partition) — exported here with
 * the service's own OTLP exporter via `setLangfuseTracerProvider`, as a team forwarding Langfuse
 * spans to their OTel backend would.
 *
 * @module
 */

import { observeOpenAI } from '@langfuse/openai';
import { setLangfuseTracerProvider } from '@langfuse/tracing';
import { loadOpenAI, sdkCall, sdkClients } from '../sdk-calls.ts';
import type { Producer } from './producer.ts';

export const langfuse: Producer = (tracing) => {
  setLangfuseTracerProvider(tracing.provider);
  const { openai } = sdkClients(loadOpenAI());
  if (!openai) throw new Error('no openai client');
  const observed = observeOpenAI(openai);
  return (s) => sdkCall({ openai: observed }, s);
};
