/**
 * The pricer: resolves a call's model (user aliases, then the user's price book, then the
 * genai-prices data with Costline's overrides), picks the price effective at the call's own time,
 * applies the book's discounts, markups and regional uplifts, and returns an exact cost breakdown.
 * Resolutions are cached per (provider, model) as given, price tables per UTC day, rated tables per
 * (service tier, adjustment), so the hot path is a few map lookups and exact integer multiplications
 * (see breakdown.ts). Nothing here fetches: genai-prices' bundled snapshot
 * and the book are the only price data (`updatePrices`, genai-prices' opt-in auto-update, is never
 * called).
 *
 * @module
 */

import { ORIGIN_BIT, computeCost } from './breakdown.ts';
import type { PriceBreakdown } from './breakdown.ts';
import { serviceTierRule } from './overrides.ts';
import type { ServiceTierRule } from './overrides.ts';
import { rateTable } from './rated-table.ts';
import type { RatedTable } from './rated-table.ts';
import { GENAI_PRICES_SOURCE, GENAI_PRICES_VERSION } from './price-table.ts';
import { ONE } from './money.ts';
import type { Dec } from './money.ts';
import { adjustmentFor } from './price-book.ts';
import { emptyPriceBook } from './price-book-parse.ts';
import type { PriceBook } from './price-book-parse.ts';
import { originLabels } from './price-source.ts';
import { genaiPricesProviderId } from './provider-names.ts';
import { NO_ADJUST, resolveCall } from './resolution.ts';
import type { Adjust, DatedTable, Resolution } from './resolution.ts';
import { regionalUplift } from './regional-uplift.ts';
import { isBlockingFlag } from './usage.ts';
import type { Usage } from './usage.ts';

export interface PriceRequest {
  /** As the producer names it: `openai`, `gcp.vertex_ai`, `openrouter`, … */
  provider: string;
  /**
   * The model to price: the response model when the producer reported one (it names the dated
   * snapshot that ran), else the request model. E.g. `gpt-4o-mini-2024-07-18` or, through a router,
   * `openai/gpt-4o-mini`.
   */
  model: string;
  /** Tried when `model` resolves to nothing (the request model, when `model` is the response model). */
  fallbackModel?: string | undefined;
  /** Where the call was served (`us-east5`, `europe-west1`, `global`), for regional uplift. */
  region?: string | undefined;
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
  /** The user's price book (see {@link parsePriceBook}); without one, genai-prices and the overrides alone. */
  priceBook?: PriceBook | undefined;
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

function dedupe(flags: string[]): string[] {
  return flags.length < 2 ? flags : [...new Set(flags)];
}

function unpricedBreakdown(provider: string, model: string, flags: string[]): PriceBreakdown {
  return {
    priced: false,
    costUsd: '0',
    buckets: {},
    tier: 'standard',
    source: 'none',
    sourceVersion: '',
    provider,
    model,
    estimated: false,
    flags: dedupe(flags),
  };
}

function boundedSet<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max) map.clear();
  map.set(key, value);
}

export function createPricer(options: PricerOptions = {}): Pricer {
  const cacheSize = options.cacheSize ?? 10_000;
  const book = options.priceBook ?? emptyPriceBook();
  const { sources, versions } = originLabels(book.version);
  const resolutions = new Map<string, Map<string, Resolution | null>>();
  /** Per resolution (not per model id: an alias or a book entry may price the same id differently). */
  const tables = new WeakMap<Resolution, Map<number, DatedTable | null>>();

  /** Cached on the names exactly as given (two map lookups, no string building on the hot path). */
  function resolve(provider: string, model: string): Resolution | null {
    let byModel = resolutions.get(provider);
    if (byModel === undefined) {
      byModel = new Map();
      boundedSet(resolutions, provider, byModel, cacheSize);
    }
    const cached = byModel.get(model);
    if (cached !== undefined) return cached;
    const resolution = resolveCall(book, provider, model);
    boundedSet(byModel, model, resolution, cacheSize);
    return resolution;
  }

  function ruleFor(resolution: Resolution, serviceTier: string | undefined): ServiceTierRule {
    const key = serviceTier ?? '';
    let rule = resolution.rules.get(key);
    if (rule === undefined) {
      rule = serviceTierRule(resolution.providerId, resolution.modelId, serviceTier);
      boundedSet(resolution.rules, key, rule, 64);
    }
    return rule;
  }

  function ratedFor(dated: DatedTable, rule: ServiceTierRule, adjust: Adjust | undefined): RatedTable {
    let byAdjust = dated.rated.get(rule);
    if (byAdjust === undefined) {
      byAdjust = new Map();
      boundedSet(dated.rated, rule, byAdjust, 64);
    }
    const key = adjust ?? NO_ADJUST;
    let rated = byAdjust.get(key);
    if (rated === undefined) {
      rated = rateTable(dated.table, rule, adjust?.factor);
      boundedSet(byAdjust, key, rated, 64);
    }
    return rated;
  }

  function tableFor(resolution: Resolution, time: Date): DatedTable | undefined {
    if (!resolution.perDay) return resolution.tableAt(time);
    let days = tables.get(resolution);
    if (days === undefined) {
      days = new Map();
      tables.set(resolution, days);
    }
    const key = Math.floor(time.getTime() / DAY_MS);
    const cached = days.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const table = resolution.tableAt(time);
    boundedSet(days, key, table ?? null, cacheSize);
    return table;
  }

  const adjustments = new WeakMap<Resolution, Map<string, Adjust | null>>();

  /** Book adjustments and regional uplift, cached per (resolution, UTC day, region): book dates are days. */
  function adjustFor(resolution: Resolution, time: Date, region: string | undefined): Adjust | undefined {
    if (book.adjustments.length === 0 && (region === undefined || region === '')) return undefined;
    let byDay = adjustments.get(resolution);
    if (byDay === undefined) {
      byDay = new Map();
      adjustments.set(resolution, byDay);
    }
    const key = `${Math.floor(time.getTime() / DAY_MS)}\n${region ?? ''}`;
    const cached = byDay.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const fromBook = adjustmentFor(book, resolution.providers, resolution.names, region, time.getTime());
    const uplift = regionalUplift(resolution.providerId, resolution.modelId, region);
    let result: Adjust | null = null;
    if (fromBook !== undefined || uplift !== undefined) {
      let factor: Dec = fromBook?.factor ?? ONE;
      if (uplift !== undefined) factor = factor.mul(uplift);
      result = {
        factor,
        regional: uplift !== undefined || (fromBook?.kinds.includes('uplift') ?? false),
        fromBook: fromBook !== undefined,
      };
    }
    boundedSet(byDay, key, result, cacheSize);
    return result ?? undefined;
  }

  return {
    price(req: PriceRequest): PriceBreakdown {
      const flags: string[] = req.flags === undefined || req.flags.length === 0 ? [] : [...req.flags];
      for (const field of USAGE_FIELDS) {
        if (!isCount(req.usage[field])) flags.push(`invalid_usage:${field}`);
      }
      const toolCalls = req.toolCalls ?? {};
      for (const tool in toolCalls) {
        if (!isCount(toolCalls[tool])) flags.push(`invalid_usage:tool_calls.${tool}`);
      }
      const unpriced = (provider: string, model: string): PriceBreakdown =>
        unpricedBreakdown(provider, model, flags);

      let resolution = resolve(req.provider, req.model);
      if (resolution === null && req.fallbackModel) {
        resolution = resolve(req.provider, req.fallbackModel);
        if (resolution !== null) flags.push('priced_as_request_model');
      }
      if (resolution === null) {
        flags.push('unknown_model');
        return unpriced(genaiPricesProviderId(req.provider), req.model.trim().toLowerCase());
      }
      const { providerId, modelId } = resolution;
      if (resolution.flags.length > 0) flags.push(...resolution.flags);
      if (Number.isNaN(req.time.getTime())) flags.push('invalid_usage:time');
      if (flags.length > 0 && flags.some(isBlockingFlag)) return unpriced(providerId, modelId);
      const dated = tableFor(resolution, req.time);
      if (dated === undefined) {
        // Known model, but no price in force at the call's time (e.g. before a book entry starts).
        flags.push('unknown_model');
        return unpriced(providerId, modelId);
      }
      const adjust = adjustFor(resolution, req.time, req.region);

      const result = computeCost({
        rated: ratedFor(dated, ruleFor(resolution, req.serviceTier), adjust),
        usage: req.usage,
        toolCalls,
      });
      if (dated.estimated) flags.push('estimated_price:gpu_hour');
      let origins = result.origins;
      if (adjust?.fromBook) origins |= ORIGIN_BIT['price-book'];
      if (adjust !== undefined && !adjust.fromBook) origins |= ORIGIN_BIT['costline-overrides'];
      const tier = adjust?.regional
        ? result.tier === 'standard'
          ? 'regional'
          : `${result.tier}+regional`
        : result.tier;
      return {
        priced: result.priced,
        costUsd: result.costUsd,
        buckets: result.buckets,
        tier,
        source: sources[origins] ?? GENAI_PRICES_SOURCE,
        sourceVersion: versions[origins] ?? GENAI_PRICES_VERSION,
        provider: providerId,
        model: modelId,
        estimated: dated.estimated,
        flags: dedupe(result.flags.length === 0 ? flags : [...flags, ...result.flags]),
      };
    },
  };
}
