/**
 * AWS Bedrock Converse `usage` (`TokenUsage`). `inputTokens` EXCLUDES `cacheReadInputTokens` and
 * `cacheWriteInputTokens`; `cacheDetails` splits the writes by TTL (`5m` / `1h`). Also Bedrock
 * InvokeModel embeddings (Titan), whose response body carries `inputTextTokenCount` only.
 *
 * @module
 */

import { UsageError } from './errors.ts';
import {
  checkReasoning,
  describe,
  emptyUsage,
  isRecord,
  readCount,
  readRequiredCount,
  splitCacheWrite,
} from './usage.ts';
import type { NormalisedUsage } from './usage.ts';

export function normaliseBedrockConverseUsage(
  raw: Readonly<Record<string, unknown>>,
  path: string,
): NormalisedUsage {
  const flags: string[] = [];
  const input = readRequiredCount(raw, 'inputTokens', path);
  const output = readCount(raw, 'outputTokens', path);
  const cacheRead = readCount(raw, 'cacheReadInputTokens', path);
  const writeTotal =
    raw['cacheWriteInputTokens'] === undefined || raw['cacheWriteInputTokens'] === null
      ? undefined
      : readCount(raw, 'cacheWriteInputTokens', path);

  let oneHour = 0;
  let fiveMin: number | undefined;
  const details = raw['cacheDetails'];
  if (details !== undefined && details !== null) {
    if (!Array.isArray(details)) {
      throw new UsageError(
        'invalid_usage_shape',
        `${path}.cacheDetails`,
        `must be an array, got ${describe(details)}`,
      );
    }
    details.forEach((entry: unknown, i) => {
      const at = `${path}.cacheDetails[${i}]`;
      if (!isRecord(entry)) throw new UsageError('invalid_usage_shape', at, 'must be an object');
      const tokens = readCount(entry, 'inputTokens', at);
      if (entry['ttl'] === '1h') oneHour += tokens;
      else fiveMin = (fiveMin ?? 0) + tokens;
    });
  }
  const writes = splitCacheWrite(writeTotal, fiveMin, oneHour, flags);

  const usage = emptyUsage();
  usage.inputTokens = input;
  usage.cacheReadTokens = cacheRead;
  usage.cacheWrite5mTokens = writes.cacheWrite5mTokens;
  usage.cacheWrite1hTokens = writes.cacheWrite1hTokens;
  usage.outputTokens = output;
  checkReasoning(usage, flags);
  return {
    usage,
    inputTotal: input + cacheRead + (writeTotal ?? writes.cacheWrite5mTokens + writes.cacheWrite1hTokens),
    outputTotal: output,
    flags,
  };
}

/** Titan embeddings through Bedrock InvokeModel: `{ embedding, inputTextTokenCount }`, input only. */
export function normaliseTitanEmbeddingUsage(
  raw: Readonly<Record<string, unknown>>,
  path: string,
): NormalisedUsage {
  const usage = emptyUsage();
  usage.inputTokens = readRequiredCount(raw, 'inputTextTokenCount', path);
  return { usage, inputTotal: usage.inputTokens, outputTotal: 0, flags: [] };
}
