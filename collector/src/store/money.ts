/**
 * Exact USD amounts as bigint counts of 1e-12 USD (the scale of the Decimal(18,12) columns), so
 * sums in the collector never go through floating point.
 *
 * @module
 */

const SCALE = 12;
const UNIT = 10n ** BigInt(SCALE);

const AT_SCALE = /^-?\d+\.\d{12}$/;

export function usdToPico(usd: string): bigint {
  // The amounts the collector writes have exactly 12 decimals: their digits are the count.
  if (AT_SCALE.test(usd)) return BigInt(usd.replace('.', ''));
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(usd.trim());
  if (!m) throw new Error(`not a decimal amount: ${JSON.stringify(usd)}`);
  const frac = (m[3] ?? '').padEnd(SCALE, '0');
  if (frac.length > SCALE && /[1-9]/.test(frac.slice(SCALE))) {
    throw new Error(`amount ${usd} has more than ${SCALE} decimals`);
  }
  const v = BigInt(m[2] ?? '0') * UNIT + BigInt(frac.slice(0, SCALE));
  return m[1] ? -v : v;
}

const PLAIN = /^-?(0|[1-9]\d*)(\.\d{1,12})?$/;

/**
 * The amount written with exactly 12 decimals, as the Decimal(18,12) columns hold it. The same as
 * `picoToUsd(usdToPico(usd))`, without the bigint round trip for the usual plain amounts (every
 * priced call writes six of them).
 */
export function toScale12(usd: string): string {
  if (!PLAIN.test(usd)) return picoToUsd(usdToPico(usd));
  const dot = usd.indexOf('.');
  if (dot < 0) return `${usd === '-0' ? '0' : usd}.000000000000`;
  const out = usd + '0'.repeat(12 - (usd.length - dot - 1));
  // "-0.000…" is zero: written as picoToUsd writes it, without the sign.
  return out.startsWith('-') && /^-0\.0+$/.test(out) ? out.slice(1) : out;
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
