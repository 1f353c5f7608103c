/**
 * Anthropic Messages `usage` (also what Bedrock InvokeModel and Vertex return for Claude).
 *
 * `input_tokens` EXCLUDES cache reads and writes: the input total is their sum. Cache writes are split
 * by TTL with `cache_creation.ephemeral_{5m,1h}_input_tokens`; a write without that breakdown is a
 * 5-minute write (the default TTL). Streaming usage is cumulative: pass the last value, never a sum.
 *
 * @module
 */

import {
  checkReasoning,
  emptyUsage,
  readCount,
  readObject,
  readRequiredCount,
  splitCacheWrite,
} from './usage.ts';
import type { NormalisedUsage } from './usage.ts';

export function normaliseAnthropicUsage(
  raw: Readonly<Record<string, unknown>>,
  path: string,
): NormalisedUsage {
  const flags: string[] = [];
  const input = readRequiredCount(raw, 'input_tokens', path);
  const output = readCount(raw, 'output_tokens', path);
  const cacheRead = readCount(raw, 'cache_read_input_tokens', path);
  const creationTotal = raw['cache_creation_input_tokens'];
  const creation = readObject(raw, 'cache_creation', path);
  const creationPath = `${path}.cache_creation`;
  const oneHour = readCount(creation, 'ephemeral_1h_input_tokens', creationPath);
  const fiveMin =
    creation['ephemeral_5m_input_tokens'] === undefined || creation['ephemeral_5m_input_tokens'] === null
      ? undefined
      : readCount(creation, 'ephemeral_5m_input_tokens', creationPath);
  const total =
    creationTotal === undefined || creationTotal === null
      ? undefined
      : readCount(raw, 'cache_creation_input_tokens', path);
  const writes = splitCacheWrite(total, fiveMin, oneHour, flags);

  const usage = emptyUsage();
  usage.inputTokens = input;
  usage.cacheReadTokens = cacheRead;
  usage.cacheWrite5mTokens = writes.cacheWrite5mTokens;
  usage.cacheWrite1hTokens = writes.cacheWrite1hTokens;
  usage.outputTokens = output;
  const outputDetails = readObject(raw, 'output_tokens_details', path);
  usage.reasoningTokens = readCount(outputDetails, 'thinking_tokens', `${path}.output_tokens_details`);
  checkReasoning(usage, flags);

  const result: NormalisedUsage = {
    usage,
    inputTotal: input + cacheRead + (total ?? writes.cacheWrite5mTokens + writes.cacheWrite1hTokens),
    outputTotal: output,
    flags,
  };
  const serverTools = readObject(raw, 'server_tool_use', path);
  const webSearches = readCount(serverTools, 'web_search_requests', `${path}.server_tool_use`);
  // web_fetch_requests carry no per-call fee (Anthropic bills only the fetched tokens), so they are not counted.
  if (webSearches > 0) result.toolCalls = { web_search: webSearches };
  return result;
}
