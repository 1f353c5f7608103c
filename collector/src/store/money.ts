/**
 * Exact USD amounts as bigint counts of 1e-12 USD (the scale of the Decimal(18,12) columns), so
 * sums in the collector never go through floating point.
 *
 * @module
 */

const SCALE = 12;
const UNIT = 10n ** BigInt(SCALE);

export function usdToPico(usd: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(usd.trim());
  if (!m) throw new Error(`not a decimal amount: ${JSON.stringify(usd)}`);
  const frac = (m[3] ?? '').padEnd(SCALE, '0');
  if (frac.length > SCALE && /[1-9]/.test(frac.slice(SCALE))) {
    throw new Error(`amount ${usd} has more than ${SCALE} decimals`);
  }
  const v = BigInt(m[2] ?? '0') * UNIT + BigInt(frac.slice(0, SCALE));
  return m[1] ? -v : v;
}

export function picoToUsd(pico: bigint): string {
  const neg = pico < 0n;
  const abs = neg ? -pico : pico;
  const int = abs / UNIT;
  const frac = (abs % UNIT).toString().padStart(SCALE, '0');
  return `${neg ? '-' : ''}${int}.${frac}`;
}

export function sumUsd(values: Iterable<string>): string {
  let total = 0n;
  for (const v of values) total += usdToPico(v);
  return picoToUsd(total);
}
