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

/** '0' repeated 0 to 12 times: the padding an amount with fewer decimals takes. */
const ZEROS = Array.from({ length: SCALE + 1 }, (_, i) => '0'.repeat(i));

/**
 * The amount written with exactly 12 decimals, as the Decimal(18,12) columns hold it. The same as
 * `picoToUsd(usdToPico(usd))`, without the bigint round trip for the usual plain amounts (every
 * priced call writes six of them): an optional `-`, `0` or digits not led by a zero, and at most 12
 * decimals — checked by a walk over the characters (41 against 60 ns with a regular expression).
 */
export function toScale12(usd: string): string {
  const n = usd.length;
  const negative = usd.charCodeAt(0) === 45; // '-'
  const intStart = negative ? 1 : 0;
  let i = intStart;
  while (i < n && isDigit(usd.charCodeAt(i))) i++;
  const intEnd = i;
  if (intEnd === intStart || (intEnd - intStart > 1 && usd.charCodeAt(intStart) === 48)) return exact(usd);
  let out: string;
  if (i === n) out = `${usd}.${ZEROS[SCALE]}`;
  else {
    if (usd.charCodeAt(i) !== 46) return exact(usd); // '.'
    const fracStart = ++i;
    while (i < n && isDigit(usd.charCodeAt(i))) i++;
    const decimals = i - fracStart;
    if (i !== n || decimals === 0 || decimals > SCALE) return exact(usd);
    out = decimals === SCALE ? usd : usd + (ZEROS[SCALE - decimals] as string);
  }
  // "-0.000…" is zero: written as picoToUsd writes it, without the sign.
  return negative && isZeroFrom(out, 1) ? out.slice(1) : out;
}

function exact(usd: string): string {
  return picoToUsd(usdToPico(usd));
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Whether `s` from `at` is only zeros and a dot. */
function isZeroFrom(s: string, at: number): boolean {
  for (let i = at; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 48 && c !== 46) return false;
  }
  return true;
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
