/**
 * Exact money. Every amount is a decimal.js value with enough precision that token counts (up to
 * 2^53) times per-million prices, divided by a million and summed, never round. Rounding happens once,
 * half-even to 12 decimal places, when a string leaves the package — the scale of ClickHouse
 * `Decimal(18,12)`.
 *
 * @module
 */

import { Decimal } from 'decimal.js';

/** A Decimal constructor private to this package, so another library's global config cannot change ours. */
export const Dec = Decimal.clone({
  precision: 60,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Dec = InstanceType<typeof Dec>;

export const MONEY_DECIMAL_PLACES = 12;
export const ZERO = new Dec(0);
export const ONE = new Dec(1);
export const ONE_MILLION = new Dec(1_000_000);

/**
 * A price from the genai-prices data (a JavaScript number such as `0.075`) as an exact decimal.
 * `String(n)` is the shortest text that round-trips, i.e. the literal written in the price data.
 */
export function decimalFromPrice(n: number): Dec {
  return new Dec(String(n));
}

/** USD as a plain decimal string: rounded half-even to 12 places, no exponent, trailing zeros trimmed. */
export function formatUsd(amount: Dec): string {
  return amount.toDecimalPlaces(MONEY_DECIMAL_PLACES, Dec.ROUND_HALF_EVEN).toFixed();
}

/** A per-million-token price as a plain decimal string (exact; prices are never rounded). */
export function formatPrice(price: Dec): string {
  return price.toFixed();
}
