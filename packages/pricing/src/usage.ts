/**
 * The normalised usage of one model call: non-overlapping token buckets that can each be priced once,
 * and the helpers every provider reader uses to read counts strictly and to build the buckets.
 *
 * @module
 */

import { UsageError } from './errors.ts';

/** Token buckets of one call. All are non-negative integers and none overlaps another (except `reasoningTokens`). */
export interface Usage {
  /** Uncached text input. */
  inputTokens: number;
  cacheReadTokens: number;
  /** Cache writes at the model's standard write price. Anthropic writes without a TTL breakdown are 5-minute writes. */
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  /** Text output, reasoning included (audio output excluded). */
  outputTokens: number;
  /** Informational: the part of `outputTokens` that was reasoning. Not added to any total. */
  reasoningTokens: number;
  inputAudioTokens: number;
  outputAudioTokens: number;
}

export interface NormalisedUsage {
  usage: Usage;
  /** All input: uncached, cache reads and writes, audio (and Gemini tool-use prompt tokens). */
  inputTotal: number;
  /** All output: text (reasoning included) and audio. */
  outputTotal: number;
  /**
   * What normalisation noticed. `negative_bucket:<bucket>` and `inconsistent_usage:<what>` mean the
   * counts contradict each other: the pricer refuses to price them (see README, "Flags").
   */
  flags: string[];
  /** Per-call tool counts the provider reports inside usage (Anthropic `server_tool_use`), by tool name. */
  toolCalls?: Record<string, number>;
}

/** Flags that make a call unpriceable: its counts contradict each other. */
export const BLOCKING_FLAG_PREFIXES = ['negative_bucket:', 'inconsistent_usage:', 'invalid_usage:'] as const;

export function isBlockingFlag(flag: string): boolean {
  return BLOCKING_FLAG_PREFIXES.some((prefix) => flag.startsWith(prefix));
}

export function emptyUsage(): Usage {
  return {
    inputTokens: 0,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    inputAudioTokens: 0,
    outputAudioTokens: 0,
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads an optional count from a provider's JSON usage: absent or `null` is 0 (Anthropic sends nulls);
 * anything but a non-negative safe integer throws a {@link UsageError} naming the field path.
 */
export function readCount(obj: Readonly<Record<string, unknown>>, key: string, path: string): number {
  const value = obj[key];
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new UsageError(
    'invalid_usage_value',
    `${path}.${key}`,
    `must be a non-negative integer, got ${describe(value)}`,
  );
}

/** Like {@link readCount}, but the field must be present (it may not be null). */
export function readRequiredCount(obj: Readonly<Record<string, unknown>>, key: string, path: string): number {
  if (obj[key] === undefined || obj[key] === null) {
    throw new UsageError('invalid_usage_value', `${path}.${key}`, 'must be a non-negative integer, got none');
  }
  return readCount(obj, key, path);
}

/** A nested object such as `prompt_tokens_details`; absent or `null` reads as empty. */
export function readObject(
  obj: Readonly<Record<string, unknown>>,
  key: string,
  path: string,
): Readonly<Record<string, unknown>> {
  const value = obj[key];
  if (value === undefined || value === null) return {};
  if (isRecord(value)) return value;
  throw new UsageError('invalid_usage_shape', `${path}.${key}`, `must be an object, got ${describe(value)}`);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return `a value of type ${typeof value}`;
}

/**
 * `total - parts`, or 0 with a `negative_bucket:<bucket>` flag when the parts exceed the total: the
 * counts contradict each other, and the caller must not price them as if they did not.
 */
export function remainder(total: number, parts: number, bucket: string, flags: string[]): number {
  const rest = total - parts;
  if (rest >= 0) return rest;
  flags.push(`negative_bucket:${bucket}`);
  return 0;
}

/**
 * Splits a cache-write total into its 5-minute and 1-hour parts. `total` is undefined when the
 * provider gave only the breakdown; `fiveMin` is undefined when it gave only the 1-hour part.
 */
export function splitCacheWrite(
  total: number | undefined,
  fiveMin: number | undefined,
  oneHour: number,
  flags: string[],
): { cacheWrite5mTokens: number; cacheWrite1hTokens: number } {
  if (total === undefined) return { cacheWrite5mTokens: fiveMin ?? 0, cacheWrite1hTokens: oneHour };
  const rest = remainder(total, oneHour, 'cache_write_5m', flags);
  if (fiveMin !== undefined && total >= oneHour && fiveMin + oneHour !== total) {
    flags.push('inconsistent_usage:cache_write_breakdown');
  }
  return { cacheWrite5mTokens: rest, cacheWrite1hTokens: oneHour };
}

/** Sum of every input bucket (what the tier threshold and `input_tokens` in storage count). */
export function inputTotalOf(usage: Usage): number {
  return (
    usage.inputTokens +
    usage.cacheReadTokens +
    usage.cacheWrite5mTokens +
    usage.cacheWrite1hTokens +
    usage.inputAudioTokens
  );
}

export function outputTotalOf(usage: Usage): number {
  return usage.outputTokens + usage.outputAudioTokens;
}

/** Flags `negative_bucket:reasoning` when reasoning exceeds the text output it is part of. */
export function checkReasoning(usage: Usage, flags: string[]): void {
  if (usage.reasoningTokens > usage.outputTokens) flags.push('negative_bucket:reasoning');
}
