/**
 * Correction rows under the append-only schema rule: a cancel row repeats a row with `sign = -1`
 * and every additive column negated; a delta row (`sign = 0`) carries the key columns of its row
 * and only the change of the additive columns. Works on rows as written and as read back
 * (JSONEachRow gives Int64 and Decimal as strings), exactly: money through picoUSD bigints.
 *
 * @module
 */

import { picoToUsd, usdToPico } from './money.ts';

type Value = string | number | bigint | boolean | null | undefined | object;
type Row = Record<string, Value>;

/** The row with `sign = -1` and `columns` negated. */
export function cancelRow<T extends object>(row: T, columns: readonly string[]): T {
  const out: Row = { ...(row as unknown as Row), sign: -1 };
  for (const c of columns) out[c] = negate(c, out[c]);
  return out as T;
}

/** The row with `sign = 1` (a new fact, e.g. with a corrected outcome). */
export function factRow<T extends object>(row: T, changes: Partial<T>): T {
  return { ...row, ...changes, sign: 1 };
}

/** `a + b` for one additive column, keeping the column's kind (number, Int64 text, decimal text). */
export function addValue(column: string, a: Value, b: Value): Value {
  if (column.endsWith('_usd')) return picoToUsd(usdToPico(text(a)) + usdToPico(text(b)));
  if (typeof a === 'string' || typeof b === 'string') return String(BigInt(asInt(a)) + BigInt(asInt(b)));
  return Number(a ?? 0) + Number(b ?? 0);
}

function negate(column: string, v: Value): Value {
  if (column.endsWith('_usd')) return picoToUsd(-usdToPico(text(v)));
  if (typeof v === 'string') return String(-BigInt(asInt(v)));
  if (typeof v === 'bigint') return -v;
  const n = Number(v ?? 0);
  return n === 0 ? 0 : -n;
}

function asInt(v: Value): string {
  if (typeof v === 'number') return String(Math.trunc(v));
  return text(v);
}

/** A scalar column value as text ('0' when absent). */
function text(v: Value): string {
  if (typeof v === 'string') return v === '' ? '0' : v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return '0';
}

/**
 * The rows of one entity that are in force: groups rows by their non-additive columns, adds up
 * `sign`, and returns one fact row for each group still counted (a fact not cancelled).
 */
export function liveRows<T extends object>(rows: readonly T[], additive: readonly string[]): T[] {
  const skip = new Set([...additive, 'sign']);
  const groups = new Map<string, { count: number; fact: T | undefined }>();
  for (const row of rows) {
    const r = row as unknown as Row;
    const key = JSON.stringify(
      Object.keys(r)
        .filter((k) => !skip.has(k))
        .sort()
        .map((k) => [k, r[k]]),
    );
    const g = groups.get(key) ?? { count: 0, fact: undefined };
    const sign = Number(r['sign'] ?? 1);
    g.count += sign;
    if (sign === 1) g.fact = row;
    groups.set(key, g);
  }
  return [...groups.values()].filter((g) => g.count > 0 && g.fact).map((g) => g.fact as T);
}
