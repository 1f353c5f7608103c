/**
 * Span attributes of an OpenAI embeddings call: `embeddings {model}`, the input count from
 * `usage.prompt_tokens` (embeddings have no output tokens). Sizes only: no input text.
 *
 * @module
 */

import type { Attributes } from '@opentelemetry/api';
import {
  GEN_AI_OPERATION_NAME,
  GEN_AI_PROVIDER_NAME,
  GEN_AI_REQUEST_MODEL,
  GEN_AI_RESPONSE_MODEL,
  GEN_AI_USAGE_INPUT_TOKENS,
  SERVER_ADDRESS,
} from '@costline/semconv';
import { count, fields, hostOf, text, type Fields } from './wire-values.ts';

/** Semconv `gen_ai.embeddings.dimension.count`: the requested vector size, when set. */
export const GEN_AI_EMBEDDINGS_DIMENSION_COUNT = 'gen_ai.embeddings.dimension.count';

export function embeddingsRequestAttributes(
  params: Fields | undefined,
  baseURL: unknown,
  provider: string,
): Attributes {
  const attributes: Attributes = {
    [GEN_AI_OPERATION_NAME]: 'embeddings',
    [GEN_AI_PROVIDER_NAME]: provider,
  };
  const model = text(params?.['model']);
  if (model !== undefined) attributes[GEN_AI_REQUEST_MODEL] = model;
  const server = hostOf(baseURL);
  if (server !== undefined) attributes[SERVER_ADDRESS] = server;
  const dimensions = count(params?.['dimensions']);
  if (dimensions !== undefined) attributes[GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = dimensions;
  return attributes;
}

/** Attributes of a `CreateEmbeddingResponse`; `usage` empty when the response has none. */
export function embeddingsResultAttributes(value: unknown): { response: Attributes; usage: Attributes } {
  const result = fields(value);
  const response: Attributes = {};
  const model = text(result?.['model']);
  if (model !== undefined) response[GEN_AI_RESPONSE_MODEL] = model;
  const input = count(fields(result?.['usage'])?.['prompt_tokens']);
  return { response, usage: input !== undefined ? { [GEN_AI_USAGE_INPUT_TOKENS]: input } : {} };
}
