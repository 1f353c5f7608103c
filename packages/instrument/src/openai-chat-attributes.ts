/**
 * Span attributes of an OpenAI chat completion, from its request parameters and its response (a
 * `ChatCompletion`, or the chunks of a stream). Sizes only: no prompt or completion content.
 *
 * Token counts are copied as OpenAI reports them, which already match the GenAI conventions:
 * `prompt_tokens` includes cached tokens, `completion_tokens` includes reasoning tokens.
 *
 * @module
 */

import type { Attributes } from '@opentelemetry/api';
import {
  COSTLINE_SYSTEM_PROMPT_CHARS,
  GEN_AI_OPERATION_NAME,
  GEN_AI_PROVIDER,
  GEN_AI_PROVIDER_NAME,
  GEN_AI_REQUEST_MAX_TOKENS,
  GEN_AI_REQUEST_MODEL,
  GEN_AI_REQUEST_STREAM,
  GEN_AI_RESPONSE_FINISH_REASONS,
  GEN_AI_RESPONSE_ID,
  GEN_AI_RESPONSE_MODEL,
  GEN_AI_USAGE_AUDIO_INPUT_TOKENS,
  GEN_AI_USAGE_AUDIO_OUTPUT_TOKENS,
  GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  GEN_AI_USAGE_INPUT_TOKENS,
  GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  OPENAI_REQUEST_SERVICE_TIER,
  OPENAI_RESPONSE_SERVICE_TIER,
  SERVER_ADDRESS,
} from '@costline/semconv';
import { count, fields, hostOf, text, textChars, type Fields } from './wire-values.ts';

/** Attributes known before the call: the span starts with them. */
export function chatRequestAttributes(
  params: Fields | undefined,
  baseURL: unknown,
  provider: string = GEN_AI_PROVIDER.openai,
): Attributes {
  const attributes: Attributes = {
    [GEN_AI_OPERATION_NAME]: 'chat',
    [GEN_AI_PROVIDER_NAME]: provider,
    [GEN_AI_REQUEST_STREAM]: params?.['stream'] === true,
  };
  const model = text(params?.['model']);
  if (model !== undefined) attributes[GEN_AI_REQUEST_MODEL] = model;
  const server = hostOf(baseURL);
  if (server !== undefined) attributes[SERVER_ADDRESS] = server;
  const maxTokens = count(params?.['max_completion_tokens']) ?? count(params?.['max_tokens']);
  if (maxTokens !== undefined) attributes[GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
  const tier = text(params?.['service_tier']);
  if (tier !== undefined) attributes[OPENAI_REQUEST_SERVICE_TIER] = tier;
  const systemChars = systemMessageChars(params?.['messages']);
  if (systemChars !== undefined) attributes[COSTLINE_SYSTEM_PROMPT_CHARS] = systemChars;
  return attributes;
}

/**
 * Characters of the system and developer messages' text (chat `messages`, or Responses `input`
 * items), or undefined when there are none.
 */
export function systemMessageChars(messages: unknown): number | undefined {
  if (!Array.isArray(messages)) return undefined;
  let chars: number | undefined;
  for (const message of messages) {
    const m = fields(message);
    if (m?.['role'] !== 'system' && m?.['role'] !== 'developer') continue;
    chars = (chars ?? 0) + textChars(m['content']);
  }
  return chars;
}

/**
 * Attributes of a `ChatCompletion` (or of one stream chunk's top-level fields); a Responses API
 * `Response` has the same id, model and service tier.
 */
export function chatResponseAttributes(response: Fields | undefined): Attributes {
  const attributes: Attributes = {};
  const id = text(response?.['id']);
  if (id !== undefined) attributes[GEN_AI_RESPONSE_ID] = id;
  const model = text(response?.['model']);
  if (model !== undefined) attributes[GEN_AI_RESPONSE_MODEL] = model;
  const tier = text(response?.['service_tier']);
  if (tier !== undefined) attributes[OPENAI_RESPONSE_SERVICE_TIER] = tier;
  return attributes;
}

/** The finish reason of each choice, in choice order. */
export function finishReasons(choices: unknown, into: string[] = []): string[] {
  if (!Array.isArray(choices)) return into;
  for (const choice of choices) {
    const c = fields(choice);
    const reason = text(c?.['finish_reason']);
    if (reason === undefined) continue;
    const index = count(c?.['index']) ?? into.length;
    into[index] = reason;
  }
  return into;
}

export function finishReasonAttributes(reasons: readonly (string | undefined)[]): Attributes {
  const present = reasons.filter((r): r is string => r !== undefined);
  return present.length > 0 ? { [GEN_AI_RESPONSE_FINISH_REASONS]: present } : {};
}

/** Usage attributes of a `CompletionUsage`; empty when there is none. */
export function chatUsageAttributes(usage: unknown): Attributes {
  const u = fields(usage);
  if (!u) return {};
  const prompt = fields(u['prompt_tokens_details']);
  const completion = fields(u['completion_tokens_details']);
  const pairs: [string, number | undefined][] = [
    [GEN_AI_USAGE_INPUT_TOKENS, count(u['prompt_tokens'])],
    [GEN_AI_USAGE_OUTPUT_TOKENS, count(u['completion_tokens'])],
    [GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, count(prompt?.['cached_tokens'])],
    [GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS, count(prompt?.['cache_write_tokens'])],
    [GEN_AI_USAGE_AUDIO_INPUT_TOKENS, count(prompt?.['audio_tokens'])],
    [GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, count(completion?.['reasoning_tokens'])],
    [GEN_AI_USAGE_AUDIO_OUTPUT_TOKENS, count(completion?.['audio_tokens'])],
  ];
  const attributes: Attributes = {};
  for (const [key, value] of pairs) if (value !== undefined) attributes[key] = value;
  // OpenAI reports audio counts (0) on every call; they matter only for audio models.
  if (attributes[GEN_AI_USAGE_AUDIO_INPUT_TOKENS] === 0) delete attributes[GEN_AI_USAGE_AUDIO_INPUT_TOKENS];
  if (attributes[GEN_AI_USAGE_AUDIO_OUTPUT_TOKENS] === 0) delete attributes[GEN_AI_USAGE_AUDIO_OUTPUT_TOKENS];
  return attributes;
}
