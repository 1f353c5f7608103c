/**
 * Span attributes of a `@google/genai` call (Gemini API or Vertex AI), from its parameters and its
 * `GenerateContentResponse` / `EmbedContentResponse`. Sizes only: no content.
 *
 * `usageMetadata` to the GenAI conventions: `promptTokenCount` already includes
 * `cachedContentTokenCount`; `toolUsePromptTokenCount` is outside it and is input too; thoughts are
 * **not** inside `candidatesTokenCount`, so output = candidates + thoughts (reasoning = thoughts).
 *
 * @module
 */

import type { Attributes } from '@opentelemetry/api';
import {
  COSTLINE_SYSTEM_PROMPT_CHARS,
  GEN_AI_OPERATION_NAME,
  GEN_AI_PROVIDER_NAME,
  GEN_AI_REQUEST_MAX_TOKENS,
  GEN_AI_REQUEST_MODEL,
  GEN_AI_REQUEST_STREAM,
  GEN_AI_RESPONSE_FINISH_REASONS,
  GEN_AI_RESPONSE_ID,
  GEN_AI_RESPONSE_MODEL,
  GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  GEN_AI_USAGE_INPUT_TOKENS,
  GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  SERVER_ADDRESS,
} from '@costline/semconv';
import { count, fields, hostOf, text, type Fields } from './wire-values.ts';

/** `models/gemini-2.5-flash`, `publishers/google/models/…` → `gemini-2.5-flash`. */
export function bareModel(model: unknown): string | undefined {
  const name = text(model);
  const at = name?.lastIndexOf('models/') ?? -1;
  return at < 0 ? name : name?.slice(at + 'models/'.length);
}

export function genaiRequestAttributes(
  params: Fields | undefined,
  operation: string,
  provider: string,
  baseURL: unknown,
  stream: boolean,
): Attributes {
  const attributes: Attributes = {
    [GEN_AI_OPERATION_NAME]: operation,
    [GEN_AI_PROVIDER_NAME]: provider,
    ...(operation === 'embeddings' ? undefined : { [GEN_AI_REQUEST_STREAM]: stream }),
  };
  const model = bareModel(params?.['model']);
  if (model !== undefined) attributes[GEN_AI_REQUEST_MODEL] = model;
  const server = hostOf(baseURL);
  if (server !== undefined) attributes[SERVER_ADDRESS] = server;
  const config = fields(params?.['config']);
  const maxTokens = count(config?.['maxOutputTokens']);
  if (maxTokens !== undefined) attributes[GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
  const system = config?.['systemInstruction'];
  if (system !== undefined) attributes[COSTLINE_SYSTEM_PROMPT_CHARS] = textChars(system);
  return attributes;
}

/** Characters of text in a string, a `Part`, a `Content` (`{parts}`) or an array of them. */
function textChars(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + textChars(v), 0);
  const v = fields(value);
  if (!v) return 0;
  if (typeof v['text'] === 'string') return v['text'].length;
  return Array.isArray(v['parts']) ? textChars(v['parts']) : 0;
}

/** Id, model and finish reasons of a `GenerateContentResponse` (or one stream chunk). */
export function genaiResponseAttributes(response: Fields | undefined): Attributes {
  const attributes: Attributes = {};
  const id = text(response?.['responseId']);
  if (id !== undefined) attributes[GEN_AI_RESPONSE_ID] = id;
  const model = text(response?.['modelVersion']);
  if (model !== undefined) attributes[GEN_AI_RESPONSE_MODEL] = model;
  const candidates = response?.['candidates'];
  if (Array.isArray(candidates)) {
    const reasons = candidates.map((c) => text(fields(c)?.['finishReason'])).filter((r) => r !== undefined);
    if (reasons.length > 0) attributes[GEN_AI_RESPONSE_FINISH_REASONS] = reasons;
  }
  return attributes;
}

/** Usage attributes of a `usageMetadata`; empty when there is none. */
export function genaiUsageAttributes(usage: unknown): Attributes {
  const u = fields(usage);
  if (!u) return {};
  const prompt = count(u['promptTokenCount']);
  const toolUse = count(u['toolUsePromptTokenCount']);
  const candidates = count(u['candidatesTokenCount']);
  const thoughts = count(u['thoughtsTokenCount']);
  const attributes: Attributes = {};
  if (prompt !== undefined || toolUse !== undefined) {
    attributes[GEN_AI_USAGE_INPUT_TOKENS] = (prompt ?? 0) + (toolUse ?? 0);
  }
  if (candidates !== undefined || thoughts !== undefined) {
    attributes[GEN_AI_USAGE_OUTPUT_TOKENS] = (candidates ?? 0) + (thoughts ?? 0);
  }
  const cached = count(u['cachedContentTokenCount']);
  if (cached !== undefined) attributes[GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = cached;
  if (thoughts !== undefined) attributes[GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = thoughts;
  return attributes;
}

/**
 * Input tokens of an `EmbedContentResponse`: Vertex reports them per embedding
 * (`statistics.tokenCount`); the Gemini API reports none (empty then).
 */
export function genaiEmbedUsageAttributes(response: Fields | undefined): Attributes {
  const embeddings = response?.['embeddings'];
  if (!Array.isArray(embeddings)) return {};
  let total: number | undefined;
  for (const e of embeddings) {
    const n = count(fields(fields(e)?.['statistics'])?.['tokenCount']);
    if (n !== undefined) total = (total ?? 0) + n;
  }
  return total !== undefined ? { [GEN_AI_USAGE_INPUT_TOKENS]: total } : {};
}
