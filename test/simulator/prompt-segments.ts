/**
 * A prompt as the prompt caches see it: an ordered list of segments (tool definitions, system blocks,
 * messages or content blocks), each with a content key and a token count. Two prompts share a cached
 * prefix when their leading segments have equal keys.
 *
 * @module
 */
import { createHash } from 'node:crypto';

export type CacheTtl = '5m' | '1h';

export interface PromptSegment {
  /** Canonical text of the segment; equal keys mean equal content. */
  key: string;
  tokens: number;
  /** Anthropic only: the segment carries `cache_control` with this TTL (a cache breakpoint). */
  cacheTtl?: CacheTtl;
}

export interface PrefixPoint {
  /** Hash of segments 0..i, chained so a long prompt is hashed once. */
  hash: string;
  /** Tokens of segments 0..i. */
  tokens: number;
}

/** One point per segment: the hash and token total of the prefix ending with that segment. */
export function prefixPoints(segments: readonly PromptSegment[]): PrefixPoint[] {
  const points: PrefixPoint[] = [];
  let hash = '';
  let tokens = 0;
  for (const segment of segments) {
    hash = createHash('sha256').update(hash).update('\u0000').update(segment.key).digest('hex');
    tokens += segment.tokens;
    points.push({ hash, tokens });
  }
  return points;
}

export function totalTokens(segments: readonly PromptSegment[]): number {
  return segments.reduce((sum, s) => sum + s.tokens, 0);
}
