/**
 * Lookups in a parsed price book: aliases, the book's own model entries (exact beats prefix, the
 * longest prefix wins — never the first), the entry effective at a call's time, and the negotiated
 * discounts, markups and regional uplifts that apply to it.
 *
 * @module
 */

import { Dec } from './money.ts';
import type { BookAdjustment, BookModel, PriceBook } from './price-book-parse.ts';

export const PRICE_BOOK_SOURCE = 'price-book';

/** The alias target for a name as spans carry it, scoped aliases before unscoped ones. */
export function findAlias(
  book: PriceBook,
  providerId: string,
  name: string,
): { provider: string | undefined; model: string } | undefined {
  const lower = name.toLowerCase();
  const alias =
    book.aliases.find((a) => a.provider === providerId && a.name === lower) ??
    book.aliases.find((a) => a.provider === undefined && a.name === lower);
  return alias === undefined ? undefined : { provider: alias.targetProvider, model: alias.model };
}

/**
 * Every dated entry of the book's best match for `name` at `providerId`, sorted by effective date.
 * An exact entry beats any prefix; between prefixes the longest wins.
 */
export function bookEntries(book: PriceBook, providerId: string, name: string): BookModel[] {
  let best: BookModel | undefined;
  let bestScore = -1;
  for (const m of book.models) {
    if (m.provider !== providerId) continue;
    const score =
      m.match === 'exact'
        ? m.model === name
          ? Number.MAX_SAFE_INTEGER
          : -1
        : name.startsWith(m.model)
          ? m.model.length
          : -1;
    if (score > bestScore) {
      best = m;
      bestScore = score;
    }
  }
  if (best === undefined) return [];
  const chosen = best;
  return book.models
    .filter((m) => m.provider === chosen.provider && m.model === chosen.model && m.match === chosen.match)
    .sort((a, b) => a.from - b.from);
}

/** The entry in force at `t` (epoch ms): the latest start at or before it whose end is after it. */
export function entryAt(entries: readonly BookModel[], t: number): BookModel | undefined {
  let found: BookModel | undefined;
  for (const e of entries) if (e.from <= t && t < e.to) found = e;
  return found;
}

function modelMatches(pattern: string | undefined, names: readonly string[]): boolean {
  if (pattern === undefined) return true;
  if (pattern.endsWith('*')) return names.some((n) => n.startsWith(pattern.slice(0, -1)));
  return names.includes(pattern);
}

export interface Adjustment {
  factor: Dec;
  kinds: BookAdjustment['kind'][];
}

/** The product of every adjustment in force for this call, or undefined when none applies. */
export function adjustmentFor(
  book: PriceBook,
  providers: readonly string[],
  names: readonly string[],
  region: string | undefined,
  t: number,
): Adjustment | undefined {
  let factor: Dec | undefined;
  const kinds: BookAdjustment['kind'][] = [];
  const lowerRegion = region?.toLowerCase();
  for (const a of book.adjustments) {
    if (a.provider !== undefined && !providers.includes(a.provider)) continue;
    if (!modelMatches(a.model, names)) continue;
    if (a.region !== undefined && a.region !== lowerRegion) continue;
    if (!(a.from <= t && t < a.to)) continue;
    factor = (factor ?? new Dec(1)).mul(a.factor);
    kinds.push(a.kind);
  }
  return factor === undefined ? undefined : { factor, kinds };
}
