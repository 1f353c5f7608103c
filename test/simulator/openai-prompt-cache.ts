/**
 * OpenAI's automatic prompt caching: no opt-in. A prompt of at least 1024 tokens whose leading
 * messages match an earlier prompt (same model, entry still warm) reports the shared prefix as
 * `cached_tokens`, rounded down to a multiple of 128. Matching is at message granularity here; the
 * real service matches 128-token blocks, which gives the same numbers for identical leading messages.
 *
 * @module
 */
import { prefixPoints, type PromptSegment } from './prompt-segments.ts';

export const OPENAI_CACHE_MIN_TOKENS = 1024;
export const OPENAI_CACHE_BLOCK_TOKENS = 128;

export interface OpenAIPromptCache {
  /** Returns `cached_tokens` for this prompt, then remembers its prefixes. */
  lookupAndStore(model: string, segments: readonly PromptSegment[]): number;
  clear(): void;
}

export function createOpenAIPromptCache(options: { now: () => number; ttlMs: number }): OpenAIPromptCache {
  // model -> prefix hash -> expiry time
  const entries = new Map<string, Map<string, number>>();

  return {
    lookupAndStore(model, segments) {
      const now = options.now();
      let byHash = entries.get(model);
      if (!byHash) {
        byHash = new Map();
        entries.set(model, byHash);
      }
      const points = prefixPoints(segments);
      let shared = 0;
      for (const point of points) {
        const expiry = byHash.get(point.hash);
        if (expiry !== undefined && expiry > now) shared = point.tokens;
      }
      for (const point of points) byHash.set(point.hash, now + options.ttlMs);
      if (shared < OPENAI_CACHE_MIN_TOKENS) return 0;
      return Math.floor(shared / OPENAI_CACHE_BLOCK_TOKENS) * OPENAI_CACHE_BLOCK_TOKENS;
    },
    clear() {
      entries.clear();
    },
  };
}
