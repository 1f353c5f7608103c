/**
 * Anthropic's explicit prompt caching. A segment carrying `cache_control` is a breakpoint: the prefix
 * up to and including it is cacheable (order: tools, system, messages).
 *
 * - Read: the longest prefix already cached, found at any segment boundary from each breakpoint back
 *   20 segments (Anthropic's lookback window). A read refreshes the entry's TTL.
 * - Write: every breakpoint after the read point whose prefix reaches the model's minimum is written;
 *   the tokens between one written boundary and the next take that breakpoint's TTL (5m or 1h).
 *   Prefixes below the minimum are not cached and cost nothing extra.
 * - `input_tokens` is what is left: the prompt minus reads and writes.
 * - No breakpoint: no read and no write, even if an earlier request cached the same prefix.
 *
 * @module
 */
import { prefixPoints, totalTokens, type CacheTtl, type PromptSegment } from './prompt-segments.ts';

export const ANTHROPIC_LOOKBACK_SEGMENTS = 20;

const TTL_MS: Readonly<Record<CacheTtl, number>> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

export interface AnthropicCacheResult {
  /** `input_tokens`: prompt tokens neither read from nor written to the cache. */
  uncached: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
}

export interface AnthropicPromptCache {
  apply(model: string, segments: readonly PromptSegment[], minTokens: number): AnthropicCacheResult;
  clear(): void;
}

interface Entry {
  expiresAt: number;
  ttl: CacheTtl;
}

export function createAnthropicPromptCache(options: { now: () => number }): AnthropicPromptCache {
  // model -> prefix hash -> entry
  const entries = new Map<string, Map<string, Entry>>();

  return {
    apply(model, segments, minTokens) {
      const now = options.now();
      const total = totalTokens(segments);
      const breakpoints: number[] = [];
      segments.forEach((s, i) => {
        if (s.cacheTtl) breakpoints.push(i);
      });
      const none: AnthropicCacheResult = { uncached: total, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 };
      if (breakpoints.length === 0) return none;

      let byHash = entries.get(model);
      if (!byHash) {
        byHash = new Map();
        entries.set(model, byHash);
      }
      const points = prefixPoints(segments);
      const live = (i: number): Entry | undefined => {
        const point = points[i];
        const entry = point ? byHash.get(point.hash) : undefined;
        return entry && entry.expiresAt > now ? entry : undefined;
      };

      // Longest live prefix within the lookback window of any breakpoint.
      let readIndex = -1;
      for (const bp of breakpoints) {
        for (let i = bp; i >= Math.max(0, bp - ANTHROPIC_LOOKBACK_SEGMENTS); i--) {
          if (i <= readIndex) break;
          if (live(i)) {
            readIndex = i;
            break;
          }
        }
      }
      const result = { ...none };
      let covered = 0;
      if (readIndex >= 0) {
        const entry = live(readIndex);
        const point = points[readIndex];
        if (entry && point) {
          entry.expiresAt = now + TTL_MS[entry.ttl];
          result.cacheRead = point.tokens;
          covered = point.tokens;
        }
      }

      for (const bp of breakpoints) {
        const point = points[bp];
        const ttl = segments[bp]?.cacheTtl;
        if (bp <= readIndex || !point || !ttl || point.tokens < minTokens) continue;
        const written = point.tokens - covered;
        if (ttl === '1h') result.cacheWrite1h += written;
        else result.cacheWrite5m += written;
        covered = point.tokens;
        byHash.set(point.hash, { expiresAt: now + TTL_MS[ttl], ttl });
      }
      result.uncached = total - result.cacheRead - result.cacheWrite5m - result.cacheWrite1h;
      return result;
    },
    clear() {
      entries.clear();
    },
  };
}
