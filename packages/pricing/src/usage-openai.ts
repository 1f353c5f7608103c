/**
 * OpenAI usage objects: Chat Completions (`CompletionUsage`, also what OpenAI-compatible routers and
 * Azure OpenAI return), Embeddings (`prompt_tokens` only) and the Responses API (`ResponseUsage`).
 *
 * In both APIs the input total includes cached tokens (and, in Chat, input audio), and the output
 * total includes reasoning (and, in Chat, output audio): subsets are subtracted, never added.
 * `cache_write_tokens` (the newest SDKs) is taken as part of the input total too, as the AI SDK does.
 *
 * @module
 */

import { checkReasoning, emptyUsage, readCount, readObject, readRequiredCount, remainder } from './usage.ts';
import type { NormalisedUsage } from './usage.ts';

/** Chat Completions or Embeddings `usage`. */
export function normaliseOpenAiChatUsage(
  raw: Readonly<Record<string, unknown>>,
  path: string,
): NormalisedUsage {
  const flags: string[] = [];
  const prompt = readRequiredCount(raw, 'prompt_tokens', path);
  const completion = readCount(raw, 'completion_tokens', path);
  const promptDetails = readObject(raw, 'prompt_tokens_details', path);
  const completionDetails = readObject(raw, 'completion_tokens_details', path);
  const cached = readCount(promptDetails, 'cached_tokens', `${path}.prompt_tokens_details`);
  const cacheWrite = readCount(promptDetails, 'cache_write_tokens', `${path}.prompt_tokens_details`);
  const audioIn = readCount(promptDetails, 'audio_tokens', `${path}.prompt_tokens_details`);
  const reasoning = readCount(completionDetails, 'reasoning_tokens', `${path}.completion_tokens_details`);
  const audioOut = readCount(completionDetails, 'audio_tokens', `${path}.completion_tokens_details`);

  const usage = emptyUsage();
  usage.inputTokens = remainder(prompt, cached + cacheWrite + audioIn, 'input', flags);
  usage.cacheReadTokens = cached;
  usage.cacheWrite5mTokens = cacheWrite;
  usage.inputAudioTokens = audioIn;
  usage.outputTokens = remainder(completion, audioOut, 'output', flags);
  usage.outputAudioTokens = audioOut;
  usage.reasoningTokens = reasoning;
  checkReasoning(usage, flags);
  return { usage, inputTotal: prompt, outputTotal: completion, flags };
}

/** Responses API `usage`. */
export function normaliseOpenAiResponsesUsage(
  raw: Readonly<Record<string, unknown>>,
  path: string,
): NormalisedUsage {
  const flags: string[] = [];
  const input = readRequiredCount(raw, 'input_tokens', path);
  const output = readCount(raw, 'output_tokens', path);
  const inputDetails = readObject(raw, 'input_tokens_details', path);
  const outputDetails = readObject(raw, 'output_tokens_details', path);
  const cached = readCount(inputDetails, 'cached_tokens', `${path}.input_tokens_details`);
  const cacheWrite = readCount(inputDetails, 'cache_write_tokens', `${path}.input_tokens_details`);
  const reasoning = readCount(outputDetails, 'reasoning_tokens', `${path}.output_tokens_details`);

  const usage = emptyUsage();
  usage.inputTokens = remainder(input, cached + cacheWrite, 'input', flags);
  usage.cacheReadTokens = cached;
  usage.cacheWrite5mTokens = cacheWrite;
  usage.outputTokens = output;
  usage.reasoningTokens = reasoning;
  checkReasoning(usage, flags);
  return { usage, inputTotal: input, outputTotal: output, flags };
}
