/**
 * Span attributes of an Amazon Bedrock Converse call, from the command's input and its output (or
 * the `metadata` event of a ConverseStream). Sizes only: no content.
 *
 * Bedrock's `inputTokens` **excludes** the cache: `cacheReadInputTokens` and `cacheWriteInputTokens`
 * are beside it. The GenAI conventions want the total, so `gen_ai.usage.input_tokens = inputTokens +
 * cacheReadInputTokens + cacheWriteInputTokens`, the cache counts being subsets of it.
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
  GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  GEN_AI_USAGE_INPUT_TOKENS,
  GEN_AI_USAGE_OUTPUT_TOKENS,
} from '@costline/semconv';
import { count, fields, text, type Fields } from './wire-values.ts';

export function converseRequestAttributes(input: Fields | undefined, stream: boolean): Attributes {
  const attributes: Attributes = {
    [GEN_AI_OPERATION_NAME]: 'chat',
    [GEN_AI_PROVIDER_NAME]: GEN_AI_PROVIDER.awsBedrock,
    [GEN_AI_REQUEST_STREAM]: stream,
  };
  const model = text(input?.['modelId']);
  if (model !== undefined) attributes[GEN_AI_REQUEST_MODEL] = model;
  const maxTokens = count(fields(input?.['inferenceConfig'])?.['maxTokens']);
  if (maxTokens !== undefined) attributes[GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
  const system = input?.['system'];
  if (Array.isArray(system)) {
    let chars = 0;
    for (const block of system) {
      const t = fields(block)?.['text'];
      if (typeof t === 'string') chars += t.length;
    }
    attributes[COSTLINE_SYSTEM_PROMPT_CHARS] = chars;
  }
  return attributes;
}

export function stopReasonAttributes(stopReason: unknown): Attributes {
  const reason = text(stopReason);
  return reason !== undefined ? { [GEN_AI_RESPONSE_FINISH_REASONS]: [reason] } : {};
}

/** Usage attributes of a Bedrock `TokenUsage`; empty when there is none. */
export function converseUsageAttributes(usage: unknown): Attributes {
  const u = fields(usage);
  if (!u) return {};
  const uncached = count(u['inputTokens']);
  const read = count(u['cacheReadInputTokens']);
  const write = count(u['cacheWriteInputTokens']);
  const attributes: Attributes = {};
  if (uncached !== undefined || read !== undefined || write !== undefined) {
    attributes[GEN_AI_USAGE_INPUT_TOKENS] = (uncached ?? 0) + (read ?? 0) + (write ?? 0);
  }
  const output = count(u['outputTokens']);
  if (output !== undefined) attributes[GEN_AI_USAGE_OUTPUT_TOKENS] = output;
  if (read !== undefined) attributes[GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = read;
  if (write !== undefined) attributes[GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS] = write;
  return attributes;
}
