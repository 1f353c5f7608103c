/**
 * The producers a peer app can run, each loaded only when chosen: importing some of them (OpenLIT)
 * patches SDKs as a side effect, which must not leak into another producer's run.
 *
 * @module
 */

import type { OwnTracingProducer, Producer } from './producer.ts';

export const PRODUCERS: Readonly<Record<string, () => Promise<Producer>>> = {
  traceloop: async () => (await import('./traceloop.ts')).traceloop,
  openinference: async () => (await import('./openinference.ts')).openinference,
  langfuse: async () => (await import('./langfuse.ts')).langfuse,
  'otel-contrib-openai': async () => (await import('./otel-contrib.ts')).otelContribOpenAI,
  bedrock: async () => (await import('./bedrock.ts')).bedrock,
  'ai-v7': async () => (await import('./ai-sdk.ts')).aiV7,
  'ai-v7-legacy': async () => (await import('./ai-sdk.ts')).aiV7Legacy,
  'ai-v6': async () => (await import('./ai-sdk.ts')).aiV6Producer,
  'ai-v5': async () => (await import('./ai-sdk.ts')).aiV5Producer,
  'ai-v4': async () => (await import('./ai-sdk.ts')).aiV4Producer,
};

export const OWN_TRACING_PRODUCERS: Readonly<Record<string, () => Promise<OwnTracingProducer>>> = {
  openlit: async () => (await import('./openlit.ts')).openlitProducer,
  'traceloop-ai-sdk': async () => (await import('./traceloop-ai-sdk.ts')).traceloopAiSdk,
};
