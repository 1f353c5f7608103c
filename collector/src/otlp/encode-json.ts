/**
 * Encodes decoded spans back into an OTLP/HTTP JSON `ExportTraceServiceRequest` (hex ids, 64-bit
 * integers as strings, enums as numbers), grouped by resource and scope — for forwarding spans
 * downstream with attributes added.
 *
 * @module
 */

import type { AttrMap, AttrValue, DecodedSpan } from './span.ts';

interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values: JsonAnyValue[] };
  kvlistValue?: { values: { key: string; value: JsonAnyValue }[] };
}

export function encodeJsonTraces(
  spans: readonly DecodedSpan[],
  extra?: (span: DecodedSpan) => AttrMap,
): string {
  const resources = new Map<AttrMap, Map<string, DecodedSpan[]>>();
  for (const span of spans) {
    let scopes = resources.get(span.resource);
    if (!scopes) {
      scopes = new Map<string, DecodedSpan[]>();
      resources.set(span.resource, scopes);
    }
    const key = JSON.stringify([span.scopeName, span.scopeVersion]);
    const list = scopes.get(key) ?? [];
    list.push(span);
    scopes.set(key, list);
  }
  const resourceSpans = [...resources].map(([resource, scopes]) => ({
    resource: { attributes: keyValues(resource) },
    scopeSpans: [...scopes.values()].map((list) => ({
      scope: { name: list[0]?.scopeName ?? '', version: list[0]?.scopeVersion ?? '' },
      spans: list.map((s) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
        name: s.name,
        kind: s.kind,
        startTimeUnixNano: String(s.startTimeUnixNano),
        endTimeUnixNano: String(s.endTimeUnixNano),
        attributes: keyValues({ ...s.attributes, ...(extra?.(s) ?? {}) }),
        events: s.events.map((e) => ({
          timeUnixNano: String(e.timeUnixNano),
          name: e.name,
          attributes: keyValues(e.attributes),
        })),
        status: { code: s.statusCode, ...(s.statusMessage ? { message: s.statusMessage } : {}) },
      })),
    })),
  }));
  return JSON.stringify({ resourceSpans });
}

function keyValues(attrs: AttrMap): { key: string; value: JsonAnyValue }[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function anyValue(v: AttrValue): JsonAnyValue {
  if (v === null) return {};
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'bigint') return { intValue: String(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (v instanceof Uint8Array) return { bytesValue: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  return { kvlistValue: { values: keyValues(v) } };
}
