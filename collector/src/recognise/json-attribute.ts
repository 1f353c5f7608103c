/**
 * Producers that put structured data in one string attribute (AI SDK `ai.response.providerMetadata`,
 * Langfuse `usage_details` / `cost_details`): parse it leniently, since a bad hint must not lose the call.
 *
 * @module
 */

import type { AttrMap } from '../otlp/span.ts';

export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The attribute parsed as a JSON object, or undefined when absent or not an object. */
export function jsonAttribute(attrs: AttrMap, key: string): JsonObject | undefined {
  const raw = attrs[key];
  if (typeof raw !== 'string' || raw === '') return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** `obj.a.b.c`, or undefined. */
export function path(obj: JsonObject | undefined, ...keys: string[]): unknown {
  let cur: unknown = obj;
  for (const k of keys) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}
