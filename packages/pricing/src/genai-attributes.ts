/**
 * Normalises the usage attributes of an OpenTelemetry GenAI span into {@link Usage} buckets.
 *
 * Semconv's `gen_ai.usage.input_tokens` includes cache reads and writes, and `output_tokens` includes
 * reasoning; some producers instead emit Anthropic's raw input count, which excludes the cache (see
 * DIALECTS.md §0.2). The caller knows the producer, so it says which with `inputIncludesCache`.
 *
 * @module
 */

import {
  ANTHROPIC_USAGE_CACHE_WRITE_1H,
  ANTHROPIC_USAGE_CACHE_WRITE_5M,
  GEN_AI_USAGE_AUDIO_INPUT_TOKENS,
  GEN_AI_USAGE_AUDIO_OUTPUT_TOKENS,
  GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  GEN_AI_USAGE_INPUT_TOKENS,
  GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '@costline/semconv';
import { UsageError } from './errors.ts';
import { checkReasoning, describe, emptyUsage, remainder, splitCacheWrite } from './usage.ts';
import type { NormalisedUsage } from './usage.ts';

/**
 * Older or producer-specific spellings still seen on the wire (DIALECTS.md §8.9). They are read, never
 * written, so they live here rather than in the wire contract.
 */
const LEGACY = {
  promptTokens: 'gen_ai.usage.prompt_tokens',
  completionTokens: 'gen_ai.usage.completion_tokens',
  cacheReadUnderscore: 'gen_ai.usage.cache_read_input_tokens',
  cacheCreationUnderscore: 'gen_ai.usage.cache_creation_input_tokens',
  reasoningTokens: 'gen_ai.usage.reasoning_tokens',
  audioCacheRead: 'gen_ai.usage.audio.cache_read.input_tokens',
} as const;

/** Each canonical count and the keys it may arrive under, newest first. */
const KEYS = {
  input: [GEN_AI_USAGE_INPUT_TOKENS, LEGACY.promptTokens],
  output: [GEN_AI_USAGE_OUTPUT_TOKENS, LEGACY.completionTokens],
  cacheRead: [GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, LEGACY.cacheReadUnderscore],
  cacheWrite: [
    GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
    GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    LEGACY.cacheCreationUnderscore,
  ],
  cacheWrite5m: [ANTHROPIC_USAGE_CACHE_WRITE_5M],
  cacheWrite1h: [ANTHROPIC_USAGE_CACHE_WRITE_1H],
  reasoning: [GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, LEGACY.reasoningTokens],
  audioIn: [GEN_AI_USAGE_AUDIO_INPUT_TOKENS],
  audioCacheRead: [LEGACY.audioCacheRead],
  audioOut: [GEN_AI_USAGE_AUDIO_OUTPUT_TOKENS],
} as const satisfies Record<string, readonly string[]>;

/** A token count attribute: a number, a bigint (64-bit OTLP ints) or a numeric string. */
function toCount(key: string, value: unknown): number {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint')
    n = value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : Number.NaN;
  else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) n = Number(value);
  if (n !== undefined && Number.isSafeInteger(n) && n >= 0) return n;
  throw new UsageError('invalid_usage_value', key, `must be a non-negative integer, got ${describe(value)}`);
}

function read(attrs: Readonly<Record<string, unknown>>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = attrs[key];
    if (value !== undefined && value !== null) return toCount(key, value);
  }
  return undefined;
}

/** Whether no count was read (a loop over the keys: `Object.values(…).every` allocated per span). */
function allUndefined(counts: Readonly<Record<string, number | undefined>>): boolean {
  for (const key in counts) if (counts[key] !== undefined) return false;
  return true;
}

/**
 * Reads the usage attributes of a model-call span. Returns undefined when the span carries no usage
 * attribute at all; throws {@link UsageError} (naming the key) for a value that is not a
 * non-negative integer. When `inputIncludesCache` is true but the input is smaller than the cache
 * reads and writes it should include, the result is flagged `negative_bucket:input` and will not be priced.
 */
export function normaliseGenAiAttributes(
  attrs: Readonly<Record<string, unknown>>,
  opts: { inputIncludesCache: boolean },
): NormalisedUsage | undefined {
  const counts = {
    input: read(attrs, KEYS.input),
    output: read(attrs, KEYS.output),
    cacheRead: read(attrs, KEYS.cacheRead),
    cacheWrite: read(attrs, KEYS.cacheWrite),
    cacheWrite5m: read(attrs, KEYS.cacheWrite5m),
    cacheWrite1h: read(attrs, KEYS.cacheWrite1h),
    reasoning: read(attrs, KEYS.reasoning),
    audioIn: read(attrs, KEYS.audioIn),
    audioCacheRead: read(attrs, KEYS.audioCacheRead),
    audioOut: read(attrs, KEYS.audioOut),
  };
  if (allUndefined(counts)) return undefined;

  const flags: string[] = [];
  const cacheRead = counts.cacheRead ?? 0;
  const writes = splitCacheWrite(counts.cacheWrite, counts.cacheWrite5m, counts.cacheWrite1h ?? 0, flags);
  const cacheWrite = counts.cacheWrite ?? writes.cacheWrite5mTokens + writes.cacheWrite1hTokens;
  // Audio counts are per-modality subsets of the totals; cached audio stays in the cache-read bucket.
  const audioIn = remainder(counts.audioIn ?? 0, counts.audioCacheRead ?? 0, 'input_audio', flags);
  const audioOut = counts.audioOut ?? 0;
  const input = counts.input ?? 0;
  const output = counts.output ?? 0;

  const usage = emptyUsage();
  usage.cacheReadTokens = cacheRead;
  usage.cacheWrite5mTokens = writes.cacheWrite5mTokens;
  usage.cacheWrite1hTokens = writes.cacheWrite1hTokens;
  usage.inputAudioTokens = audioIn;
  usage.inputTokens = opts.inputIncludesCache
    ? remainder(input, cacheRead + cacheWrite + audioIn, 'input', flags)
    : remainder(input, audioIn, 'input', flags);
  usage.outputAudioTokens = audioOut;
  usage.outputTokens = remainder(output, audioOut, 'output', flags);
  usage.reasoningTokens = counts.reasoning ?? 0;
  checkReasoning(usage, flags);

  const inputTotal = opts.inputIncludesCache ? input : input + cacheRead + cacheWrite;
  return { usage, inputTotal, outputTotal: output, flags };
}
