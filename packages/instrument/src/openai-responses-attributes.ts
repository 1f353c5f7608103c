/**
 * Span attributes of an OpenAI Responses API call (`responses.create`, and the `parse` / `stream`
 * helpers that call it), from its request and its `Response` object. Sizes only: no content.
 *
 * `ResponseUsage` has the Chat semantics under other names, which already match the GenAI
 * conventions: `input_tokens` includes `input_tokens_details.cached_tokens`, `output_tokens`
 * includes `output_tokens_details.reasoning_tokens`. The finish reason is the response `status`
 * (`completed`, `incomplete`, `failed`), as the OTel OpenAI instrumentation records it.
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
  GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  GEN_AI_USAGE_INPUT_TOKENS,
  GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  OPENAI_REQUEST_SERVICE_TIER,
  SERVER_ADDRESS,
} from '@costline/semconv';
import { chatResponseAttributes, systemMessageChars } from './openai-chat-attributes.ts';
import { count, fields, hostOf, text, type Fields } from './wire-values.ts';

export function responsesRequestAttributes(
  params: Fields | undefined,
  baseURL: unknown,
  provider: string,
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
  const maxTokens = count(params?.['max_output_tokens']);
  if (maxTokens !== undefined) attributes[GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
  const tier = text(params?.['service_tier']);
  if (tier !== undefined) attributes[OPENAI_REQUEST_SERVICE_TIER] = tier;
  const systemChars = systemPromptChars(params);
  if (systemChars !== undefined) attributes[COSTLINE_SYSTEM_PROMPT_CHARS] = systemChars;
  return attributes;
}

/** `instructions` plus the text of system/developer input items, or undefined when there is none. */
function systemPromptChars(params: Fields | undefined): number | undefined {
  const instructions = params?.['instructions'];
  const fromInstructions = typeof instructions === 'string' ? instructions.length : undefined;
  const fromInput = systemMessageChars(params?.['input']);
  if (fromInstructions === undefined && fromInput === undefined) return undefined;
  return (fromInstructions ?? 0) + (fromInput ?? 0);
}

/** Attributes of a `Response` object, usage excluded. */
export function responseObjectAttributes(response: Fields | undefined): Attributes {
  const attributes = chatResponseAttributes(response);
  const status = text(response?.['status']);
  if (status !== undefined && status !== 'in_progress' && status !== 'queued') {
    attributes[GEN_AI_RESPONSE_FINISH_REASONS] = [status];
  }
  return attributes;
}

/** Usage attributes of a `ResponseUsage`; empty when there is none. */
export function responsesUsageAttributes(usage: unknown): Attributes {
  const u = fields(usage);
  if (!u) return {};
  const input = fields(u['input_tokens_details']);
  const output = fields(u['output_tokens_details']);
  const pairs: [string, number | undefined][] = [
    [GEN_AI_USAGE_INPUT_TOKENS, count(u['input_tokens'])],
    [GEN_AI_USAGE_OUTPUT_TOKENS, count(u['output_tokens'])],
    [GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, count(input?.['cached_tokens'])],
    [GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS, count(input?.['cache_write_tokens'])],
    [GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, count(output?.['reasoning_tokens'])],
  ];
  const attributes: Attributes = {};
  for (const [key, value] of pairs) if (value !== undefined) attributes[key] = value;
  return attributes;
}
