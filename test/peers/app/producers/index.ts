import { aiV5Producer, aiV7, aiV7Legacy } from './ai-sdk.ts';
import type { Producer } from './producer.ts';
import { traceloop } from './traceloop.ts';

export const PRODUCERS: Readonly<Record<string, Producer>> = {
  traceloop,
  'ai-v7': aiV7,
  'ai-v7-legacy': aiV7Legacy,
  'ai-v5': aiV5Producer,
};
