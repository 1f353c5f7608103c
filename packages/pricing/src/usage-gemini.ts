/**
 * Google Gemini `usageMetadata` (Gemini API and Vertex AI, camelCase as on the wire; the Python SDK's
 * snake_case spellings are accepted too).
 *
 * `promptTokenCount` INCLUDES `cachedContentTokenCount`. `thoughtsTokenCount` is NOT inside
 * `candidatesTokenCount` and is billed as output; `toolUsePromptTokenCount` is outside the prompt count
 * and billed as input. Audio is read from the per-modality details.
 *
 * @module
 */

import { UsageError } from './errors.ts';
import { describe, emptyUsage, isRecord, readCount, remainder } from './usage.ts';
import type { NormalisedUsage } from './usage.ts';

/** The camelCase keys that identify a Gemini usage object. */
export const GEMINI_USAGE_KEYS = [
  'promptTokenCount',
  'candidatesTokenCount',
  'cachedContentTokenCount',
  'thoughtsTokenCount',
  'totalTokenCount',
  'prompt_token_count',
  'candidates_token_count',
] as const;

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Reads `key` or its snake_case twin. */
function count(raw: Readonly<Record<string, unknown>>, key: string, path: string): number {
  return raw[key] === undefined ? readCount(raw, snake(key), path) : readCount(raw, key, path);
}

/** Sum of the `AUDIO` entries of a `[{modality, tokenCount}]` list. */
function audioCount(raw: Readonly<Record<string, unknown>>, key: string, path: string): number {
  const field = raw[key] === undefined ? snake(key) : key;
  const list = raw[field];
  if (list === undefined || list === null) return 0;
  if (!Array.isArray(list)) {
    throw new UsageError(
      'invalid_usage_shape',
      `${path}.${field}`,
      `must be an array, got ${describe(list)}`,
    );
  }
  let total = 0;
  list.forEach((entry: unknown, i) => {
    if (!isRecord(entry)) {
      throw new UsageError('invalid_usage_shape', `${path}.${field}[${i}]`, 'must be an object');
    }
    if (entry['modality'] === 'AUDIO') total += count(entry, 'tokenCount', `${path}.${field}[${i}]`);
  });
  return total;
}

export function normaliseGeminiUsage(raw: Readonly<Record<string, unknown>>, path: string): NormalisedUsage {
  const flags: string[] = [];
  const prompt = count(raw, 'promptTokenCount', path);
  const cached = count(raw, 'cachedContentTokenCount', path);
  const candidates = count(raw, 'candidatesTokenCount', path);
  const thoughts = count(raw, 'thoughtsTokenCount', path);
  const toolUsePrompt = count(raw, 'toolUsePromptTokenCount', path);
  const audioIn = audioCount(raw, 'promptTokensDetails', path);
  const audioCached = audioCount(raw, 'cacheTokensDetails', path);
  const audioOut = audioCount(raw, 'candidatesTokensDetails', path);

  const usage = emptyUsage();
  // Cached audio stays in the cache-read bucket (priced as cached text); only uncached audio is its own bucket.
  usage.inputAudioTokens = remainder(audioIn, audioCached, 'input_audio', flags);
  usage.inputTokens = remainder(prompt, cached + usage.inputAudioTokens, 'input', flags) + toolUsePrompt;
  usage.cacheReadTokens = cached;
  usage.outputAudioTokens = audioOut;
  usage.outputTokens = remainder(candidates, audioOut, 'output', flags) + thoughts;
  usage.reasoningTokens = thoughts;
  return { usage, inputTotal: prompt + toolUsePrompt, outputTotal: candidates + thoughts, flags };
}
