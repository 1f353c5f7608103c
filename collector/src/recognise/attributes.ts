/**
 * Typed reads of span attribute values, which arrive as whatever the producer chose
 * (int, double, numeric string, bigint).
 *
 * @module
 */

import type { AttrMap } from '../otlp/span.ts';

export function attrString(attrs: AttrMap, ...keys: string[]): string | undefined {
  return attrStringOf(attrs, keys);
}

/** {@link attrString} of a list kept in a constant: spread into the call, it was copied every time. */
export function attrStringOf(attrs: AttrMap, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = attrs[k];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  }
  return undefined;
}

export function attrInt(attrs: AttrMap, ...keys: string[]): number | undefined {
  return attrIntOf(attrs, keys);
}

/** {@link attrInt} of a list kept in a constant. */
export function attrIntOf(attrs: AttrMap, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    const v = attrs[k];
    if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Math.trunc(Number(v));
  }
  return undefined;
}

export function attrNumber(attrs: AttrMap, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const v = attrs[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  return undefined;
}

export function attrBool(attrs: AttrMap, key: string): boolean {
  const v = attrs[key];
  return v === true || v === 'true' || v === 1;
}
