/**
 * OpenAI embeddings, `POST /v1/embeddings`: one vector per input, as floats or (the SDK's default
 * request) base64 of little-endian float32, and `usage: {prompt_tokens, total_tokens}`.
 *
 * @module
 */
import { errorResponse } from './provider-errors.ts';
import { isRecord, numberField, stringField, type JsonObject } from './json-value.ts';
import { seedNumbers } from './output-plan.ts';
import { providerHeaders } from './provider-headers.ts';
import { countTextTokens } from './token-count.ts';
import type { SimResponse } from './types.ts';

const DEFAULT_DIMENSIONS = 8;

function vector(text: string, dimensions: number): number[] {
  const [a] = seedNumbers(text);
  return Array.from({ length: dimensions }, (_, i) => Math.fround(((a >>> (i % 32)) & 0xff) / 255 - 0.5));
}

export function handleOpenAIEmbeddings(body: unknown, usageOverride?: JsonObject): SimResponse {
  const invalid = (message: string, param: string | null) =>
    errorResponse('openai', 400, { message, param, code: null }, null);
  if (!isRecord(body)) return invalid('Invalid request body: expected a JSON object.', null);
  const model = stringField(body, 'model');
  if (!model) return invalid('you must provide a model parameter', null);
  const raw = body['input'];
  const inputs = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : undefined;
  if (!inputs || inputs.length === 0) return invalid("'input' : input must be a string or an array", 'input');
  const dimensions = numberField(body, 'dimensions') ?? DEFAULT_DIMENSIONS;
  const base64 = body['encoding_format'] === 'base64';
  let tokens = 0;
  const data = inputs.map((input, index) => {
    const text = typeof input === 'string' ? input : JSON.stringify(input);
    tokens += typeof input === 'string' ? countTextTokens(input) : Array.isArray(input) ? input.length : 1;
    const values = vector(text, dimensions);
    const embedding = base64 ? Buffer.from(new Float32Array(values).buffer).toString('base64') : values;
    return { object: 'embedding', index, embedding };
  });
  const usage: unknown = usageOverride ?? { prompt_tokens: tokens, total_tokens: tokens };
  return {
    kind: 'json',
    status: 200,
    headers: providerHeaders('openai'),
    body: { object: 'list', data, model, usage },
    tokens: 0,
    usage,
  };
}
