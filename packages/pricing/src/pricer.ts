/**
 * The pricer: resolves a call's model in the genai-prices data (with Costline's overrides), picks
 * the price effective at the call's own time, and returns an exact cost breakdown. Resolved prices
 * are cached per (provider, model, UTC day), so the hot path is a map lookup and a few decimal
 * multiplications. Nothing here fetches: genai-prices' bundled snapshot is the only price data
 * (`updatePrices`, its opt-in auto-update, is never called).
 *
 * @module
 */

import { computeCost } from './breakdown.ts';
import type { PriceBreakdown } from './breakdown.ts';
import { resolveModel } from './model-match.ts';
import { OVERRIDES_SOURCE, OVERRIDES_VERSION, applyModelOverrides, serviceTierRule } from './overrides.ts';
import {
  GENAI_PRICES_SOURCE,
  GENAI_PRICES_VERSION,
  effectivePrices,
  hasTimeOfDayPrices,
  toPriceTable,
} from './price-table.ts';
import type { PriceTable } from './price-table.ts';
import { canonicalProviderName } from './provider-names.ts';
import { isBlockingFlag } from './usage.ts';
import type { Usage } from './usage.ts';

export interface PriceRequest {
  /** As the producer names it: `openai`, `gcp.vertex_ai`, `openrouter`, … */
  provider: string;
  /** Request or response model, e.g. `gpt-4o-mini-2024-07-18` or, through a router, `openai/gpt-4o-mini`. */
  model: string;
  /** When the call was made: prices are effective-dated by it. */
  time: Date;
  usage: Usage;
  /** Reported service tier (`default`, `flex`, `batch`, `priority`…); absent means standard. */
  serviceTier?: string | undefined;
  /** Per-call tool counts, e.g. `{ web_search: 4 }`. */
  toolCalls?: Readonly<Record<string, number>> | undefined;
  /** Flags from normalisation; a `negative_bucket:*` or `inconsistent_usage:*` flag makes the call unpriced. */
  flags?: readonly string[] | undefined;
}

export interface Pricer {
  /** Never throws: what cannot be priced comes back with `priced: false` and flags saying why. */
  price(req: PriceRequest): PriceBreakdown;
}

export interface PricerOptions {
  /**
   * Entries per cache (resolutions and daily prices) before it is cleared; model names come from
   * spans, so the caches are bounded.
   * @default 10000
   */
  cacheSize?: number;
}

interface Resolution {
  providerId: string;
  modelId: string;
  tableAt: (time: Date) => PriceTable | undefined;
  perDay: boolean;
  flags: readonly string[];
}

const USAGE_FIELDS = [
  'inputTokens',
  'cacheReadTokens',
  'cacheWrite5mTokens',
  'cacheWrite1hTokens',
  'outputTokens',
  'reasoningTokens',
  'inputAudioTokens',
  'outputAudioTokens',
] as const satisfies readonly (keyof Usage)[];

const DAY_MS = 86_400_000;

function isCount(n: unknown): boolean {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function dedupe(flags: readonly string[]): string[] {
  return [...new Set(flags)];
}

function boundedSet<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max) map.clear();
  map.set(key, value);
}

export function createPricer(options: PricerOptions = {}): Pricer {
  const cacheSize = options.cacheSize ?? 10_000;
  const resolutions = new Map<string, Resolution | null>();
  const tables = new Map<string, PriceTable | null>();

  function resolve(provider: string, model: string): Resolution | null {
    const key = `${canonicalProviderName(provider)}\n${model.trim().toLowerCase()}`;
    const cached = resolutions.get(key);
    if (cached !== undefined) return cached;
    const found = resolveModel(provider, model);
    let resolution: Resolution | null = null;
    if (found !== undefined) {
      const { provider: p, model: m } = found;
      resolution = {
        providerId: p.id,
        modelId: m.id,
        perDay: !hasTimeOfDayPrices(m),
        flags: found.flags,
        tableAt(time) {
          const prices = effectivePrices(p, m, time);
          if (prices === undefined) return undefined;
          const table = toPriceTable(prices);
          applyModelOverrides(p.id, m, table);
          return table;
        },
      };
    }
    boundedSet(resolutions, key, resolution, cacheSize);
    return resolution;
  }

  function tableFor(resolution: Resolution, time: Date): PriceTable | undefined {
    if (!resolution.perDay) return resolution.tableAt(time);
    const key = `${resolution.providerId}\n${resolution.modelId}\n${Math.floor(time.getTime() / DAY_MS)}`;
    const cached = tables.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const table = resolution.tableAt(time);
    boundedSet(tables, key, table ?? null, cacheSize);
    return table;
  }

  return {
    price(req: PriceRequest): PriceBreakdown {
      const flags: string[] = [...(req.flags ?? [])];
      for (const field of USAGE_FIELDS) {
        if (!isCount(req.usage[field])) flags.push(`invalid_usage:${field}`);
      }
      const toolCalls = req.toolCalls ?? {};
      for (const [tool, calls] of Object.entries(toolCalls)) {
        if (!isCount(calls)) flags.push(`invalid_usage:tool_calls.${tool}`);
      }
      const unpriced = (provider: string, model: string, source = 'none', version = ''): PriceBreakdown => ({
        priced: false,
        costUsd: '0',
        buckets: {},
        tier: 'standard',
        source,
        sourceVersion: version,
        provider,
        model,
        flags: dedupe(flags),
      });

      const resolution = resolve(req.provider, req.model);
      if (resolution === null) {
        flags.push('unknown_model');
        return unpriced(canonicalProviderName(req.provider), req.model.trim().toLowerCase());
      }
      const { providerId, modelId } = resolution;
      flags.push(...resolution.flags);
      if (Number.isNaN(req.time.getTime())) flags.push('invalid_usage:time');
      if (flags.some(isBlockingFlag)) return unpriced(providerId, modelId);
      const table = tableFor(resolution, req.time);
      if (table === undefined) {
        flags.push('unknown_model');
        return unpriced(providerId, modelId);
      }

      const result = computeCost({
        table,
        usage: req.usage,
        serviceTier: serviceTierRule(providerId, modelId, req.serviceTier),
        toolCalls,
      });
      return {
        priced: result.priced,
        costUsd: result.costUsd,
        buckets: result.buckets,
        tier: result.tier,
        source: result.overridden ? `${GENAI_PRICES_SOURCE}+${OVERRIDES_SOURCE}` : GENAI_PRICES_SOURCE,
        sourceVersion: result.overridden
          ? `${GENAI_PRICES_VERSION}+${OVERRIDES_VERSION}`
          : GENAI_PRICES_VERSION,
        provider: providerId,
        model: modelId,
        flags: dedupe([...flags, ...result.flags]),
      };
    },
  };
}
