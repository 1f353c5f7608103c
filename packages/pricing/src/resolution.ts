/**
 * Resolving a call's (provider, model) once: the user's alias, the price book's own entries (dated),
 * and the genai-prices model with Costline's overrides — and, for a given time, the price table in
 * force. The pricer caches what this returns.
 *
 * @module
 */

import type { Dec } from './money.ts';
import { resolveModel } from './model-match.ts';
import { applyModelOverrides } from './overrides.ts';
import type { ServiceTierRule } from './overrides.ts';
import { bookEntries, entryAt, findAlias } from './price-book.ts';
import type { BookModel, PriceBook } from './price-book-parse.ts';
import { effectivePrices, hasTimeOfDayPrices, toPriceTable } from './price-table.ts';
import type { PriceTable } from './price-table.ts';
import { genaiPricesProviderId } from './provider-names.ts';
import type { RatedTable } from './rated-table.ts';

/** The key of a rated table for a call with no adjustment. */
export const NO_ADJUST = Symbol('no adjustment');

/** Book discounts, markups and uplifts and the built-in regional uplift, multiplied together. */
export interface Adjust {
  factor: Dec;
  /** A regional uplift is part of it (the tier says `regional`). */
  regional: boolean;
  /** Some of it comes from the price book (else it is Costline's built-in uplift). */
  fromBook: boolean;
}

export interface Resolution {
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

export interface DatedTable {
  table: PriceTable;
  /** Prices spread from a GPU-hour cost by the book. */
  estimated: boolean;
  /** The table rated per (service-tier rule, adjustment): both are cached objects, so identity is the key. */
  rated: Map<ServiceTierRule, Map<Adjust | typeof NO_ADJUST, RatedTable>>;
}

export function resolveCall(book: PriceBook, providerName: string, modelName: string): Resolution | null {
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
