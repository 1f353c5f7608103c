/**
 * A model's prices on a given date, as exact decimals: genai-prices' effective-dated price for the
 * call's own time, each entry a base price and optional tiers by total input tokens.
 *
 * @module
 */

import { calcPrice } from '@pydantic/genai-prices';
import type { ModelInfo, ModelPrice, Provider } from '@pydantic/genai-prices';
import { decimalFromPrice } from './money.ts';
import type { Dec } from './money.ts';

export const GENAI_PRICES_SOURCE = 'genai-prices';
/** The pinned `@pydantic/genai-prices` version (its package exports no version; a test keeps the two in step). */
export const GENAI_PRICES_VERSION = '0.1.8';

/** Where a price came from: the genai-prices data, Costline's override table, or the user's price book. */
export type PriceOrigin = 'genai-prices' | 'costline-overrides' | 'price-book';

export interface PricePoint {
  price: Dec;
  origin: PriceOrigin;
}

/** A price that applies when the call's total input is strictly greater than `start` tokens. */
export interface PriceTier extends PricePoint {
  start: number;
  /** Name of the tier for the breakdown, e.g. `long_context_200k`. */
  name: string;
}

export interface TieredPrice {
  base: PricePoint;
  /** Sorted by `start`, ascending. */
  tiers: PriceTier[];
}

/** genai-prices price key (`input_mtok`, `web_searches_kcount`, …) → price. */
export type PriceTable = Map<string, TieredPrice>;

export function tierName(start: number): string {
  return start % 1000 === 0 ? `long_context_${start / 1000}k` : `long_context_${start}`;
}

function isTiered(value: unknown): value is { base: number; tiers: { start: number; price: number }[] } {
  return typeof value === 'object' && value !== null && 'base' in value && 'tiers' in value;
}

/** Converts genai-prices' `ModelPrice` (numbers and `TieredPrices`) to exact decimals. */
export function toPriceTable(prices: ModelPrice): PriceTable {
  const table: PriceTable = new Map();
  for (const [key, value] of Object.entries(prices)) {
    if (typeof value === 'number') {
      table.set(key, { base: { price: decimalFromPrice(value), origin: 'genai-prices' }, tiers: [] });
    } else if (isTiered(value)) {
      const tiers = [...value.tiers]
        .sort((a, b) => a.start - b.start)
        .map((t) => ({
          start: t.start,
          name: tierName(t.start),
          price: decimalFromPrice(t.price),
          origin: 'genai-prices' as const,
        }));
      table.set(key, { base: { price: decimalFromPrice(value.base), origin: 'genai-prices' }, tiers });
    }
  }
  return table;
}

/** True when the model's price changes within a day (e.g. off-peak discounts), so a per-day cache would be wrong. */
export function hasTimeOfDayPrices(model: ModelInfo): boolean {
  return (
    Array.isArray(model.prices) &&
    model.prices.some((p) => p.constraint !== undefined && p.constraint.type === 'time_of_date')
  );
}

/**
 * The model's genai-prices price at `time`. Delegates the effective-date choice to genai-prices'
 * own `calcPrice` (with empty usage, on a provider holding only this model), so start dates and
 * time-of-day windows mean exactly what they mean there; the money arithmetic is done elsewhere.
 */
export function effectivePrices(provider: Provider, model: ModelInfo, time: Date): ModelPrice | undefined {
  if (!Array.isArray(model.prices)) return model.prices;
  const only: ModelInfo = { ...model, match: { equals: model.id } };
  const single: Provider = { ...provider, models: [only], fallback_model_providers: [] };
  const result = calcPrice({}, model.id, { provider: single, timestamp: time });
  return result?.model_price;
}

/** The price of `entry` for a call with `totalInput` input tokens, and the tier used (undefined: base). */
export function priceAt(
  entry: TieredPrice,
  totalInput: number,
): { point: PricePoint; tier: PriceTier | undefined } {
  let tier: PriceTier | undefined;
  for (const t of entry.tiers) if (totalInput > t.start) tier = t;
  return { point: tier ?? entry.base, tier };
}
