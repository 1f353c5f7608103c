/**
 * The `source` and `source_version` of a breakdown: which price data were used (genai-prices,
 * Costline's overrides, the user's price book) and the version of each, in a fixed order.
 *
 * @module
 */

import { GENAI_PRICES_SOURCE, GENAI_PRICES_VERSION } from './price-table.ts';
import { OVERRIDES_SOURCE, OVERRIDES_VERSION } from './overrides.ts';
import { PRICE_BOOK_SOURCE } from './price-book.ts';

const ORIGIN_ORDER = [GENAI_PRICES_SOURCE, OVERRIDES_SOURCE, PRICE_BOOK_SOURCE] as const;

/**
 * Source names and versions for every set of origins (a bit mask), in a fixed order:
 * `genai-prices+costline-overrides` with `0.1.8+2026-12-03`, `price-book` with the book's version…
 */
export function originLabels(bookVersion: string): { sources: string[]; versions: string[] } {
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
