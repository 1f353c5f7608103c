/**
 * Field readers for the price book: each reads one value of the parsed YAML and, when it is wrong,
 * throws a {@link PriceBookError} naming the line (from the YAML node's position) and the field path
 * (`models[1].input_mtok`).
 *
 * @module
 */

import type { LineCounter, Node, parseDocument } from 'yaml';
import { PriceBookError } from './errors.ts';
import { Dec } from './money.ts';
import { describe, isRecord } from './usage.ts';

export interface Ctx {
  name: string;
  lines: LineCounter;
  doc: ReturnType<typeof parseDocument>;
}

export function lineOf(ctx: Ctx, path: readonly (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = ctx.doc.getIn(path.slice(0, n), true) as Node | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range) {
      return ctx.lines.linePos(node.range[0]).line;
    }
  }
  return 1;
}

export function fieldName(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export function fail(ctx: Ctx, path: readonly (string | number)[], problem: string): never {
  throw new PriceBookError('invalid_price_book', ctx.name, lineOf(ctx, path), fieldName(path), problem);
}

export function checkKeys(
  ctx: Ctx,
  obj: Record<string, unknown>,
  path: (string | number)[],
  allowed: readonly string[],
) {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(ctx, [...path, key], `unknown field (allowed: ${allowed.join(', ')})`);
  }
}

export function str(
  ctx: Ctx,
  obj: Record<string, unknown>,
  path: (string | number)[],
  key: string,
  required: true,
): string;
export function str(
  ctx: Ctx,
  obj: Record<string, unknown>,
  path: (string | number)[],
  key: string,
  required?: false,
): string | undefined;
export function str(
  ctx: Ctx,
  obj: Record<string, unknown>,
  path: (string | number)[],
  key: string,
  required = false,
) {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (required) fail(ctx, [...path, key], 'required');
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '')
    fail(ctx, [...path, key], `must be a non-empty string, got ${describe(v)}`);
  return v.trim();
}

export const DECIMAL = /^\d+(\.\d+)?$/;

export function decimal(ctx: Ctx, value: unknown, path: (string | number)[]): Dec {
  // Numbers are read back with String(), the shortest literal that round-trips; quote a price with
  // more than 15 significant digits to keep every digit.
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !DECIMAL.test(text.trim())) {
    fail(ctx, path, `must be a non-negative decimal, got ${describe(value)}`);
  }
  return new Dec(text.trim());
}

export function date(
  ctx: Ctx,
  obj: Record<string, unknown>,
  path: (string | number)[],
  key: string,
  fallback: number,
) {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  // YAML reads an unquoted 2026-01-01 as a string (core schema); accept a Date too for JSON-like loaders.
  const text = v instanceof Date ? v.toISOString().slice(0, 10) : v;
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    fail(ctx, [...path, key], `must be a UTC date YYYY-MM-DD, got ${describe(v)}`);
  }
  const ms = Date.parse(`${text}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
    fail(ctx, [...path, key], `not a calendar date: ${JSON.stringify(text)}`);
  }
  return ms;
}

export function list(ctx: Ctx, root: Record<string, unknown>, key: string): Record<string, unknown>[] {
  const v = root[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(ctx, [key], `must be a list, got ${describe(v)}`);
  return v.map((item: unknown, i) => {
    if (!isRecord(item)) fail(ctx, [key, i], `must be a mapping, got ${describe(item)}`);
    return item;
  });
}
