/**
 * The pricer: resolves a call's model (user aliases, then the user's price book, then the
 * genai-prices data with Costline's overrides), picks the price effective at the call's own time,
 * applies the book's discounts, markups and regional uplifts, and returns an exact cost breakdown.
 * Resolved prices are cached per (provider, model, UTC day, region), so the hot path is two map
 * lookups and a few decimal multiplications. Nothing here fetches: genai-prices' bundled snapshot
 * and the book are the only price data (`updatePrices`, genai-prices' opt-in auto-update, is never
 * called).
 *
 * @module
 */

import { ORIGIN_BIT, computeCost } from './breakdown.ts';
import type { PriceBreakdown } from './breakdown.ts';
import { resolveModel } from './model-match.ts';
import { OVERRIDES_SOURCE, OVERRIDES_VERSION, applyModelOverrides, serviceTierRule } from './overrides.ts';
import type { ServiceTierRule } from './overrides.ts';
import { rateTable } from './rated-table.ts';
import type { RatedTable } from './rated-table.ts';
import {
  GENAI_PRICES_SOURCE,
  GENAI_PRICES_VERSION,
  effectivePrices,
  hasTimeOfDayPrices,
  toPriceTable,
} from './price-table.ts';
import type { PriceTable } from './price-table.ts';
import { ONE } from './money.ts';
import type { Dec } from './money.ts';
import { PRICE_BOOK_SOURCE, adjustmentFor, bookEntries, entryAt, findAlias } from './price-book.ts';
import { emptyPriceBook } from './price-book-parse.ts';
import type { BookModel, PriceBook } from './price-book-parse.ts';
import { genaiPricesProviderId } from './provider-names.ts';
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

interface Resolution {
  providerId: string;
  modelId: string;
  /** Names an adjustment may match: the resolved id and the name as given. */
  names: readonly string[];
  /** Providers an adjustment may match: the resolved one and the one the call went through (a router). */
  providers: readonly string[];
  tableAt: (time: Date) => DatedTable | undefined;
  perDay: boolean;
  flags: readonly string[];
  /** Service-tier rules by the tier as reported. */
  rules: Map<string, ServiceTierRule>;
}

interface DatedTable {
  table: PriceTable;
  /** Prices spread from a GPU-hour cost by the book. */
  estimated: boolean;
  /** The table rated per (service-tier rule, adjustment): both are cached objects, so identity is the key. */
  rated: Map<ServiceTierRule, Map<Adjust | typeof NO_ADJUST, RatedTable>>;
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

const NO_ADJUST = Symbol('no adjustment');

interface Adjust {
  factor: Dec;
  /** `regional` when an uplift applies. */
  regional: boolean;
  fromBook: boolean;
}

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
    const resolution = resolveUncached(provider, model);
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

  function resolveUncached(providerName: string, modelName: string): Resolution | null {
    let provider = providerName;
    let name = modelName.trim().toLowerCase();
    const alias = findAlias(book, genaiPricesProviderId(provider), name);
    if (alias !== undefined) {
      provider = alias.provider ?? provider;
      name = alias.model.trim().toLowerCase();
    }
    const providerId = genaiPricesProviderId(provider);
    const entries: BookModel[] = bookEntries(book, providerId, name);
    const found = resolveModel(provider, name);
    if (found === undefined && entries.length === 0) return null;
    const genaiAt = (time: Date): PriceTable | undefined => {
      if (found === undefined) return undefined;
      const prices = effectivePrices(found.provider, found.model, time);
      if (prices === undefined) return undefined;
      const table = toPriceTable(prices);
      applyModelOverrides(found.provider.id, found.model, table);
      return table;
    };
    return {
      // A model only the book knows keeps the book's names.
      providerId: found?.provider.id ?? providerId,
      modelId: found?.model.id ?? entries[0]?.model ?? name,
      names: [...new Set([found?.model.id ?? name, name])],
      providers: [...new Set([found?.provider.id ?? providerId, genaiPricesProviderId(providerName)])],
      perDay: found === undefined || !hasTimeOfDayPrices(found.model),
      flags: [...(found?.flags ?? []), ...(alias !== undefined ? ['model_alias'] : [])],
      rules: new Map(),
      tableAt(time) {
        const base = genaiAt(time);
        const entry = entryAt(entries, time.getTime());
        if (entry === undefined) {
          return base === undefined ? undefined : { table: base, estimated: false, rated: new Map() };
        }
        // The book's keys replace genai-prices' (tiers and all); keys it does not set keep their price.
        const table: PriceTable = new Map(base ?? []);
        for (const [k, v] of entry.prices) table.set(k, { base: v.base, tiers: [...v.tiers] });
        return { table, estimated: entry.estimated, rated: new Map() };
      },
    };
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

const ORIGIN_ORDER = [GENAI_PRICES_SOURCE, OVERRIDES_SOURCE, PRICE_BOOK_SOURCE] as const;

/**
 * Source names and versions for every set of origins (a bit mask), in a fixed order:
 * `genai-prices+costline-overrides` with `0.1.8+2026-12-03`, `price-book` with the book's version…
 */
function originLabels(bookVersion: string): { sources: string[]; versions: string[] } {
  const version: Record<string, string> = {
    [GENAI_PRICES_SOURCE]: GENAI_PRICES_VERSION,
    [OVERRIDES_SOURCE]: OVERRIDES_VERSION,
    [PRICE_BOOK_SOURCE]: bookVersion,
  };
  const sources: string[] = [];
  const versions: string[] = [];
  for (let mask = 0; mask < 8; mask++) {
    const parts = ORIGIN_ORDER.filter((_, i) => (mask & (1 << i)) !== 0);
    sources.push(parts.length === 0 ? GENAI_PRICES_SOURCE : parts.join('+'));
    versions.push(parts.length === 0 ? GENAI_PRICES_VERSION : parts.map((o) => version[o]).join('+'));
  }
  return { sources, versions };
}
