/**
 * Span attributes of an Anthropic Messages call, from its request and its `Message` (or the
 * events of a stream). Sizes only: no prompt or completion content.
 *
 * Anthropic's `input_tokens` excludes cache reads and writes; the GenAI conventions want the
 * total, so `gen_ai.usage.input_tokens = input_tokens + cache_read_input_tokens +
 * cache_creation_input_tokens` (semconv `anthropic.md`), the cache counts being subsets of it.
 *
 * @module
 */

import type { Attributes } from '@opentelemetry/api';
import {
  ANTHROPIC_USAGE_CACHE_WRITE_1H,
  ANTHROPIC_USAGE_CACHE_WRITE_5M,
  ANTHROPIC_USAGE_SERVICE_TIER,
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
  GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  GEN_AI_USAGE_INPUT_TOKENS,
  GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  SERVER_ADDRESS,
} from '@costline/semconv';
import { count, fields, hostOf, text, textChars, type Fields } from './wire-values.ts';

export function messagesRequestAttributes(params: Fields | undefined, baseURL: unknown): Attributes {
  const attributes: Attributes = {
    [GEN_AI_OPERATION_NAME]: 'chat',
    [GEN_AI_PROVIDER_NAME]: GEN_AI_PROVIDER.anthropic,
    [GEN_AI_REQUEST_STREAM]: params?.['stream'] === true,
  };
  const model = text(params?.['model']);
  if (model !== undefined) attributes[GEN_AI_REQUEST_MODEL] = model;
  const server = hostOf(baseURL);
  if (server !== undefined) attributes[SERVER_ADDRESS] = server;
  const maxTokens = count(params?.['max_tokens']);
  if (maxTokens !== undefined) attributes[GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
  const systemChars = systemPromptChars(params?.['system']);
  if (systemChars !== undefined) attributes[COSTLINE_SYSTEM_PROMPT_CHARS] = systemChars;
  return attributes;
}

/** `system` is a string or an array of blocks, of which text blocks count. */
function systemPromptChars(system: unknown): number | undefined {
  return typeof system === 'string' || Array.isArray(system) ? textChars(system) : undefined;
}

/** Attributes of a `Message` (or of `message_start.message`), usage excluded. */
export function messageAttributes(message: Fields | undefined): Attributes {
  const attributes: Attributes = {};
  const id = text(message?.['id']);
  if (id !== undefined) attributes[GEN_AI_RESPONSE_ID] = id;
  const model = text(message?.['model']);
  if (model !== undefined) attributes[GEN_AI_RESPONSE_MODEL] = model;
  const stop = text(message?.['stop_reason']);
  if (stop !== undefined) attributes[GEN_AI_RESPONSE_FINISH_REASONS] = [stop];
  return attributes;
}

/** Usage attributes of an Anthropic `Usage`; empty when there is none. */
export function messagesUsageAttributes(usage: unknown): Attributes {
  const u = fields(usage);
  if (!u) return {};
  const uncached = count(u['input_tokens']);
  const read = count(u['cache_read_input_tokens']);
  const write = count(u['cache_creation_input_tokens']);
  const byTtl = fields(u['cache_creation']);
  const pairs: [string, number | string | undefined][] = [
    [
      GEN_AI_USAGE_INPUT_TOKENS,
      uncached === undefined && read === undefined && write === undefined
        ? undefined
        : (uncached ?? 0) + (read ?? 0) + (write ?? 0),
    ],
    [GEN_AI_USAGE_OUTPUT_TOKENS, count(u['output_tokens'])],
    [GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, read],
    [GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS, write],
    [ANTHROPIC_USAGE_CACHE_WRITE_5M, count(byTtl?.['ephemeral_5m_input_tokens'])],
    [ANTHROPIC_USAGE_CACHE_WRITE_1H, count(byTtl?.['ephemeral_1h_input_tokens'])],
    [GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, count(fields(u['output_tokens_details'])?.['thinking_tokens'])],
    [ANTHROPIC_USAGE_SERVICE_TIER, text(u['service_tier'])],
  ];
  const attributes: Attributes = {};
  for (const [key, value] of pairs) if (value !== undefined) attributes[key] = value;
  return attributes;
}

/**
 * Merges a `message_delta` usage into the usage seen so far. Its counts are cumulative (not
 * increments), and it may omit or null the input-side counts, which `message_start` then keeps.
 */
export function mergeUsage(seen: Fields | undefined, delta: Fields): Fields {
  const merged: Record<string, unknown> = { ...seen };
  for (const [key, value] of Object.entries(delta))
    if (value !== null && value !== undefined) merged[key] = value;
  return merged;
}
