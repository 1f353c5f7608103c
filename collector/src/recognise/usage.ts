/**
 * Reads a model call's usage in its producer's dialect and normalises it into non-overlapping
 * buckets (via @costline/pricing). Each dialect's keys are first mapped onto the OTel GenAI names
 * (DIALECTS.md §7.2). Whether the input count includes cache tokens is decided per producer, version
 * and provider (§8.1), then checked: an input smaller than the cache reads and writes it would
 * include cannot be inclusive, so it is read as exclusive and flagged `input_exclusive_inferred`.
 * Our own instrument is not second-guessed: its wire contract says inclusive, so a contradiction
 * there is a bug to surface (`negative_bucket:input`, unpriced), not a dialect to guess.
 *
 * @module
 */

import {
  GEN_AI_USAGE_AUDIO_INPUT_TOKENS,
  GEN_AI_USAGE_AUDIO_OUTPUT_TOKENS,
  GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  GEN_AI_USAGE_INPUT_TOKENS,
  GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '@costline/semconv';
import { normaliseGenAiAttributes, normaliseProviderUsage, UsageError } from '@costline/pricing';
import type { NormalisedUsage } from '@costline/pricing';
import type { AttrMap } from '../otlp/span.ts';
import { attrIntOf, attrString } from './attributes.ts';
import { versionAtLeast } from './dialect.ts';
import type { Dialect } from './dialect.ts';
import { isObject, jsonAttribute, path } from './json-attribute.ts';
import type { JsonObject } from './json-attribute.ts';

const IN = GEN_AI_USAGE_INPUT_TOKENS;
const OUT = GEN_AI_USAGE_OUTPUT_TOKENS;
const READ = GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS;
const WRITE = GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS;
const REASONING = GEN_AI_USAGE_REASONING_OUTPUT_TOKENS;

/**
 * The input and cache keys with the older spellings @costline/pricing also reads (DIALECTS.md §8.9),
 * for the inclusive-input check.
 */
const ALIASES = {
  input: [IN, 'gen_ai.usage.prompt_tokens'],
  cacheRead: [READ, 'gen_ai.usage.cache_read_input_tokens'],
  cacheWrite: [WRITE, 'gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.cache_creation_input_tokens'],
} as const;

export interface ReadUsage {
  usage: NormalisedUsage | undefined;
  /** Whether the producer's input count was read as including cache tokens. */
  inputIncludesCache: boolean;
}

/**
 * A count that is not a non-negative integer (AI SDK v4 writes `NaN` for a stream without usage)
 * does not lose the call: it is kept with empty buckets and an `invalid_usage:<key>` flag, which
 * the pricer refuses to price.
 */
export function readUsage(attrs: AttrMap, dialect: Dialect, provider: string): ReadUsage {
  try {
    return readDialectUsage(attrs, dialect, provider);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return {
      usage: { usage: emptyBuckets(), inputTotal: 0, outputTotal: 0, flags: [`invalid_usage:${e.field}`] },
      inputIncludesCache: true,
    };
  }
}

function emptyBuckets(): NormalisedUsage['usage'] {
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

function readDialectUsage(attrs: AttrMap, dialect: Dialect, provider: string): ReadUsage {
  switch (dialect.name) {
    case 'ai-sdk':
      return aiSdkUsage(attrs, provider);
    case 'openinference':
      return finish(openInferenceCanon(attrs), openInferenceInclusive(dialect, provider));
    case 'langfuse':
      return finish(langfuseCanon(attrs), true);
    // Semconv-style producers: @costline/pricing reads these keys and their aliases as they are.
    case 'costline':
      return finish(attrs, true, false);
    default:
      return finish(attrs, genAiInclusive(dialect, provider));
  }
}

/** Producers that pass Anthropic's raw, exclusive `input_tokens` through (DIALECTS.md §0.2, §8.1). */
function genAiInclusive(dialect: Dialect, provider: string): boolean {
  const anthropic = provider === 'anthropic';
  switch (dialect.name) {
    case 'traceloop': // 0.27 and the ≤0.22 `prompt_tokens`
    case 'openlit': // 1.15
      return !anthropic;
    case 'otel-contrib-aws-sdk': // Bedrock Converse `inputTokens` excludes cache
      return false;
    default:
      return true;
  }
}

function openInferenceInclusive(dialect: Dialect, provider: string): boolean {
  // openinference-instrumentation-anthropic ≤0.1.22 set the raw input_tokens; 0.2.x adds the cache.
  if (provider === 'anthropic' && dialect.version !== '') return versionAtLeast(dialect.version, '0.2.0');
  return true;
}

/** `source`: the span's attributes, or a dialect's keys already mapped onto the semconv names. */
function finish(
  source: Readonly<Record<string, unknown>>,
  declaredInclusive: boolean,
  check = true,
): ReadUsage {
  let inclusive = declaredInclusive;
  const flags: string[] = [];
  if (inclusive && check) {
    const a = source as AttrMap;
    const input = attrIntOf(a, ALIASES.input);
    const cache = (attrIntOf(a, ALIASES.cacheRead) ?? 0) + (attrIntOf(a, ALIASES.cacheWrite) ?? 0);
    if (input !== undefined && input < cache) {
      inclusive = false;
      flags.push('input_exclusive_inferred');
    }
  }
  const usage = normaliseGenAiAttributes(source, { inputIncludesCache: inclusive });
  if (usage && flags.length > 0) usage.flags.push(...flags);
  return { usage, inputIncludesCache: inclusive };
}

function pick(attrs: AttrMap, keys: readonly string[]): unknown {
  for (const k of keys) if (attrs[k] !== undefined && attrs[k] !== null) return attrs[k];
  return undefined;
}

function put(canon: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined && value !== null) canon[key] = value;
}

/** OpenInference `llm.token_count.*`: prompt and completion are totals, `*_details.*` their subsets. */
function openInferenceCanon(attrs: AttrMap): Record<string, unknown> {
  const canon: Record<string, unknown> = {};
  put(canon, IN, attrs['llm.token_count.prompt']);
  put(canon, OUT, attrs['llm.token_count.completion']);
  put(canon, READ, attrs['llm.token_count.prompt_details.cache_read']);
  put(canon, WRITE, attrs['llm.token_count.prompt_details.cache_write']);
  put(canon, REASONING, attrs['llm.token_count.completion_details.reasoning']);
  put(canon, GEN_AI_USAGE_AUDIO_INPUT_TOKENS, attrs['llm.token_count.prompt_details.audio']);
  put(canon, GEN_AI_USAGE_AUDIO_OUTPUT_TOKENS, attrs['llm.token_count.completion_details.audio']);
  return canon;
}

/**
 * Langfuse `usage_details` is a partition, not totals with subsets: `input` is the uncached input
 * only and `output` excludes reasoning (DIALECTS.md §8.4). The parts are summed back into totals.
 */
function langfuseCanon(attrs: AttrMap): Record<string, unknown> {
  const details = jsonAttribute(attrs, 'langfuse.observation.usage_details');
  if (!details) return {};
  let input = 0;
  let output = 0;
  let read = 0;
  let write = 0;
  let reasoning = 0;
  let audioIn = 0;
  let audioOut = 0;
  let seen = false;
  for (const [key, value] of Object.entries(details)) {
    if (typeof value !== 'number' || key === 'total' || /total/.test(key)) continue;
    seen = true;
    if (key === 'input') input += value;
    else if (key === 'output') output += value;
    else if (/cache_read|cached/.test(key)) read += value;
    else if (/cache_creation|cache_write/.test(key)) write += value;
    else if (key.startsWith('output') && /reasoning/.test(key)) reasoning += value;
    else if (key.startsWith('input') && /audio/.test(key)) audioIn += value;
    else if (key.startsWith('output') && /audio/.test(key)) audioOut += value;
    else if (key.startsWith('output')) output += value;
    else input += value;
  }
  if (!seen) return {};
  return {
    [IN]: input + read + write + audioIn,
    [OUT]: output + reasoning + audioOut,
    [READ]: read,
    [WRITE]: write,
    [REASONING]: reasoning,
    [GEN_AI_USAGE_AUDIO_INPUT_TOKENS]: audioIn,
    [GEN_AI_USAGE_AUDIO_OUTPUT_TOKENS]: audioOut,
  };
}

/**
 * The AI SDK's `ai.usage.*` (v4–v7 legacy telemetry). When the provider's own usage object is in
 * `ai.response.providerMetadata` (Anthropic, v5+), it is priced as the provider sent it: the most
 * exact source, and the only one with cache writes and their TTLs on v5 `generateText` spans.
 */
function aiSdkUsage(attrs: AttrMap, provider: string): ReadUsage {
  const metadata = jsonAttribute(attrs, 'ai.response.providerMetadata');
  const rawAnthropic = path(metadata, 'anthropic', 'usage');
  if (provider === 'anthropic' && isObject(rawAnthropic)) {
    return { usage: normaliseProviderUsage('anthropic', rawAnthropic), inputIncludesCache: false };
  }
  // v6+ report input totals including cache and break them down in `inputTokenDetails`; v4/v5
  // passed each provider's input through, and Anthropic's excludes the cache. The version is in the
  // recorded user agent (`ai/5.0.277`) when request headers are recorded; else the keys tell.
  const agent = /(?:^|\s)ai\/(\d+\.\d+\.\d+)/.exec(attrString(attrs, 'ai.request.headers.user-agent') ?? '');
  const v6 = agent?.[1]
    ? versionAtLeast(agent[1], '6.0.0')
    : Object.keys(attrs).some((k) => k.startsWith('ai.usage.inputTokenDetails.'));
  const canon: Record<string, unknown> = {};
  put(canon, IN, pick(attrs, ['ai.usage.inputTokens', 'ai.usage.promptTokens', 'ai.usage.tokens', IN]));
  put(canon, OUT, pick(attrs, ['ai.usage.outputTokens', 'ai.usage.completionTokens', OUT]));
  put(
    canon,
    READ,
    pick(attrs, ['ai.usage.inputTokenDetails.cacheReadTokens', 'ai.usage.cachedInputTokens']) ??
      metaCount(metadata, READ_META),
  );
  put(
    canon,
    WRITE,
    pick(attrs, ['ai.usage.inputTokenDetails.cacheWriteTokens']) ?? metaCount(metadata, WRITE_META),
  );
  put(
    canon,
    REASONING,
    pick(attrs, ['ai.usage.outputTokenDetails.reasoningTokens', 'ai.usage.reasoningTokens']) ??
      metaCount(metadata, REASONING_META),
  );
  return finish(canon, v6 || provider !== 'anthropic');
}

/** v4/v5 put cache and reasoning counts only in provider metadata. */
const READ_META = [
  ['openai', 'cachedPromptTokens'],
  ['anthropic', 'cacheReadInputTokens'],
] as const;
const WRITE_META = [['anthropic', 'cacheCreationInputTokens']] as const;
const REASONING_META = [['openai', 'reasoningTokens']] as const;

function metaCount(metadata: JsonObject | undefined, paths: readonly (readonly [string, string])[]): unknown {
  for (const [vendor, key] of paths) {
    const v = path(metadata, vendor, key);
    if (typeof v === 'number') return v;
  }
  return undefined;
}
