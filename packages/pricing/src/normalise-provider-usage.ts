/**
 * Normalises a provider's own usage object (exactly as its API returns it) into {@link Usage} buckets.
 * The shape is recognised by its fields — so an OpenAI-compatible endpoint of any provider reads as
 * OpenAI — and the provider name decides only where the fields alone cannot.
 *
 * @module
 */

import { UsageError } from './errors.ts';
import { usesAnthropicShape } from './provider-names.ts';
import { normaliseAnthropicUsage } from './usage-anthropic.ts';
import { normaliseBedrockConverseUsage, normaliseTitanEmbeddingUsage } from './usage-bedrock.ts';
import { GEMINI_USAGE_KEYS, normaliseGeminiUsage } from './usage-gemini.ts';
import { normaliseOpenAiChatUsage, normaliseOpenAiResponsesUsage } from './usage-openai.ts';
import { describe, isRecord } from './usage.ts';
import type { NormalisedUsage } from './usage.ts';

export type UsageShape =
  | 'openai_chat'
  | 'openai_responses'
  | 'anthropic'
  | 'gemini'
  | 'bedrock_converse'
  | 'bedrock_titan_embedding';

const ANTHROPIC_ONLY = [
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
  'cache_creation',
  'server_tool_use',
];
const RESPONSES_ONLY = ['input_tokens_details', 'total_tokens'];

function hasAny(raw: Readonly<Record<string, unknown>>, keys: readonly string[]): boolean {
  return keys.some((key) => raw[key] !== undefined);
}

/** Which provider shape a usage object has, or undefined when it has none of the known fields. */
export function detectUsageShape(
  provider: string,
  raw: Readonly<Record<string, unknown>>,
): UsageShape | undefined {
  if (hasAny(raw, GEMINI_USAGE_KEYS)) return 'gemini';
  // Bedrock InvokeModel with Titan embeddings: the response body counts input only.
  if (hasAny(raw, ['inputTextTokenCount'])) return 'bedrock_titan_embedding';
  if (hasAny(raw, ['inputTokens', 'outputTokens'])) return 'bedrock_converse';
  if (hasAny(raw, ['prompt_tokens', 'completion_tokens'])) return 'openai_chat';
  if (hasAny(raw, ['input_tokens', 'output_tokens'])) {
    if (hasAny(raw, ANTHROPIC_ONLY)) return 'anthropic';
    if (hasAny(raw, RESPONSES_ONLY)) return 'openai_responses';
    // Only input/output counts: both readings give the same buckets; follow the provider.
    return usesAnthropicShape(provider) ? 'anthropic' : 'openai_responses';
  }
  return undefined;
}

/**
 * Normalises `usage` as `provider` returned it. Throws {@link UsageError} when a count is not a
 * non-negative integer (the message names the field, e.g. `usage.prompt_tokens`) or the object has
 * no known shape. Counts that contradict each other do not throw: they are flagged
 * (`negative_bucket:input`) and the pricer will not price them.
 */
export function normaliseProviderUsage(provider: string, usage: unknown): NormalisedUsage {
  const path = 'usage';
  if (!isRecord(usage)) {
    throw new UsageError('invalid_usage_shape', path, `must be an object, got ${describe(usage)}`);
  }
  // Gemini responses carry usage under `usageMetadata`; accept the response-level wrapper too.
  const inner = usage['usageMetadata'];
  if (isRecord(inner) && detectUsageShape(provider, usage) === undefined) {
    return normaliseGeminiUsage(inner, `${path}.usageMetadata`);
  }
  switch (detectUsageShape(provider, usage)) {
    case 'gemini':
      return normaliseGeminiUsage(usage, path);
    case 'bedrock_converse':
      return normaliseBedrockConverseUsage(usage, path);
    case 'bedrock_titan_embedding':
      return normaliseTitanEmbeddingUsage(usage, path);
    case 'openai_chat':
      return normaliseOpenAiChatUsage(usage, path);
    case 'openai_responses':
      return normaliseOpenAiResponsesUsage(usage, path);
    case 'anthropic':
      return normaliseAnthropicUsage(usage, path);
    case undefined:
      throw new UsageError(
        'invalid_usage_shape',
        path,
        `has no token counts of a known shape for provider ${JSON.stringify(provider)} ` +
          '(expected e.g. prompt_tokens, input_tokens, promptTokenCount or inputTokens)',
      );
  }
}
