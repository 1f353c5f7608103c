/**
 * A price table with the call's service tier and adjustments (book discounts, markups, regional
 * uplift) already applied, each price held both as an exact decimal and — when it has at most six
 * decimal places — as a safe integer mantissa, so the hot path multiplies plain integers exactly.
 * Built once per (table, service-tier rule, factor) and cached by the pricer.
 *
 * @module
 */

import type { Dec } from './money.ts';
import type { ServiceTierRule } from './overrides.ts';
import type { PriceOrigin, PriceTable } from './price-table.ts';

export interface RatedPrice {
  /** USD per million tokens (per million calls for fees), exact. */
  dec: Dec;
  /** `dec` as a plain decimal string. */
  text: string;
  /** `dec = m × 10^-s` when `fast`. */
  m: number;
  s: number;
  fast: boolean;
  origin: PriceOrigin;
}

export interface RatedEntry {
  base: RatedPrice;
  /** Sorted by `start`, ascending. */
  tiers: { start: number; name: string; price: RatedPrice }[];
}

export interface RatedTable {
  entries: Map<string, RatedEntry>;
  /** The model prices reasoning apart from output (`output_reasoning_mtok`). */
  reasoningPriced: boolean;
  rule: ServiceTierRule;
  /** The service tier's discount applied (counted as a Costline override). */
  tierFactorApplied: boolean;
}

/** Decimal places the integer path handles: price scale + 6 (per million) stays within 12. */
const MAX_FAST_SCALE = 6;

export function ratedPrice(dec: Dec, origin: PriceOrigin): RatedPrice {
  const text = dec.toFixed();
  const dot = text.indexOf('.');
  const s = dot < 0 ? 0 : text.length - dot - 1;
  const m = Number(dot < 0 ? text : text.slice(0, dot) + text.slice(dot + 1));
  return { dec, text, m, s, fast: s <= MAX_FAST_SCALE && Number.isSafeInteger(m) && m >= 0, origin };
}

const isFee = (key: string): boolean => key.endsWith('_kcount');

export function rateTable(table: PriceTable, rule: ServiceTierRule, factor: Dec | undefined): RatedTable {
  const entries = new Map<string, RatedEntry>();
  for (const [key, entry] of table) {
    if (isFee(key)) {
      // Fees are per thousand calls: held per million like tokens. Service tiers do not discount them.
      const dec = entry.base.price.mul(1000);
      entries.set(key, { base: ratedPrice(factor ? dec.mul(factor) : dec, entry.base.origin), tiers: [] });
      continue;
    }
    const replacement = rule.kind === 'replace' ? rule.prices[key] : undefined;
    const rate = (price: Dec, origin: PriceOrigin): RatedPrice => {
      let p = replacement ?? price;
      if (rule.kind === 'factor') p = p.mul(rule.factor);
      if (factor !== undefined) p = p.mul(factor);
      return ratedPrice(p, replacement !== undefined ? 'costline-overrides' : origin);
    };
    entries.set(key, {
      base: rate(entry.base.price, entry.base.origin),
      tiers: entry.tiers.map((t) => ({ start: t.start, name: t.name, price: rate(t.price, t.origin) })),
    });
  }
  return {
    entries,
    reasoningPriced: table.has('output_reasoning_mtok'),
    rule,
    tierFactorApplied: rule.kind === 'factor',
  };
}
