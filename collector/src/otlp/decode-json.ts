/**
 * Decodes an OTLP/HTTP JSON `ExportTraceServiceRequest` into {@link DecodedSpan}s.
 *
 * Exporters differ: 64-bit integers arrive as strings or as bare numbers (even above 2^53), ids as
 * hex or base64, enums as numbers or names, field names in lowerCamelCase or snake_case. All are
 * accepted; bare integers are read from their source text so no precision is lost.
 *
 * @module
 */

import { AttributeBuilder, setAttribute } from './attribute-shapes.ts';
import type { AttrMap, AttrValue, DecodedBatch, DecodedSpan, SpanEvent } from './span.ts';
import { validateSpanIds } from './validate-span.ts';

export class OtlpJsonError extends Error {
  readonly code = 'OTLP_JSON_MALFORMED';
}

const MAX_VALUE_DEPTH = 16;
type Json = Record<string, unknown>;

/**
 * A bare number of 16 or more digits somewhere (outside or, harmlessly, inside a string): only then
 * can an integer exceed 2^53 (16 digits), so only then is the slow source-reading parse needed.
 */
const LONG_BARE_NUMBER = /[:[,]\s*-?\d{16}/;

/** Parses JSON keeping integers beyond 2^53 exact (as bigint). */
export function parseJsonExact(text: string): unknown {
  // A reviver reading each value's source text makes JSON.parse several times slower.
  if (!LONG_BARE_NUMBER.test(text)) return JSON.parse(text) as unknown;
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) => {
    if (
      typeof value === 'number' &&
      Number.isInteger(value) &&
      !Number.isSafeInteger(value) &&
      context?.source
    ) {
      return /^-?\d+$/.test(context.source) ? BigInt(context.source) : value;
    }
    return value;
  });
}

export function decodeJsonTraces(text: string): DecodedBatch {
  let doc: unknown;
  try {
    doc = parseJsonExact(text);
  } catch (e) {
    throw new OtlpJsonError(`body is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new OtlpJsonError('body must be a JSON object (ExportTraceServiceRequest)');
  const rs = field(doc, 'resourceSpans', 'resource_spans');
  if (rs === undefined) throw new OtlpJsonError('body has no resourceSpans: not an OTLP trace export');
  if (!Array.isArray(rs)) throw new OtlpJsonError('resourceSpans must be an array');
  const batch: DecodedBatch = { spans: [], rejected: 0, errors: [] };
  for (const r of rs) {
    if (!isObject(r)) throw new OtlpJsonError('resourceSpans[] entries must be objects');
    const resourceObj = field(r, 'resource');
    const resource = isObject(resourceObj) ? attrList(field(resourceObj, 'attributes')) : {};
    const scopes = field(r, 'scopeSpans', 'scope_spans') ?? field(r, 'instrumentationLibrarySpans');
    if (scopes === undefined) continue;
    if (!Array.isArray(scopes)) throw new OtlpJsonError('scopeSpans must be an array');
    for (const s of scopes) {
      if (!isObject(s)) throw new OtlpJsonError('scopeSpans[] entries must be objects');
      const scope = field(s, 'scope') ?? field(s, 'instrumentationLibrary');
      const scopeName = isObject(scope) ? str(field(scope, 'name')) : '';
      const scopeVersion = isObject(scope) ? str(field(scope, 'version')) : '';
      const spans = field(s, 'spans') ?? [];
      if (!Array.isArray(spans)) throw new OtlpJsonError('spans must be an array');
      for (const raw of spans) {
        let span: DecodedSpan;
        try {
          span = readSpan(raw, scopeName, scopeVersion, resource);
        } catch (e) {
          reject(batch, (e as Error).message);
          continue;
        }
        const problem = validateSpanIds(span);
        if (problem) reject(batch, problem);
        else batch.spans.push(span);
      }
    }
  }
  return batch;
}

function reject(batch: DecodedBatch, why: string): void {
  batch.rejected++;
  if (batch.errors.length < 10) batch.errors.push(why);
}

function readSpan(raw: unknown, scopeName: string, scopeVersion: string, resource: AttrMap): DecodedSpan {
  if (!isObject(raw)) throw new OtlpJsonError('span must be an object');
  const status = field(raw, 'status');
  const name = str(field(raw, 'name'));
  return {
    traceId: id(field(raw, 'traceId', 'trace_id'), 16),
    spanId: id(field(raw, 'spanId', 'span_id'), 8),
    parentSpanId: id(field(raw, 'parentSpanId', 'parent_span_id'), 8),
    name,
    kind: enumValue(field(raw, 'kind'), 'SPAN_KIND_', KINDS),
    startTimeUnixNano: nanos(
      field(raw, 'startTimeUnixNano', 'start_time_unix_nano'),
      name,
      'startTimeUnixNano',
    ),
    endTimeUnixNano: nanos(field(raw, 'endTimeUnixNano', 'end_time_unix_nano'), name, 'endTimeUnixNano'),
    attributes: attrList(field(raw, 'attributes')),
    events: eventList(field(raw, 'events')),
    statusCode: isObject(status) ? enumValue(field(status, 'code'), 'STATUS_CODE_', STATUSES) : 0,
    statusMessage: isObject(status) ? str(field(status, 'message')) : '',
    scopeName,
    scopeVersion,
    resource,
  };
}

const KINDS: Record<string, number> = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
};
const STATUSES: Record<string, number> = { UNSET: 0, OK: 1, ERROR: 2 };

function eventList(v: unknown): SpanEvent[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((e) => ({
    name: str(field(e, 'name')),
    timeUnixNano: nanos(field(e, 'timeUnixNano', 'time_unix_nano'), 'event', 'timeUnixNano'),
    attributes: attrList(field(e, 'attributes')),
  }));
}

/** Top-level maps (a span's, an event's, a resource's attributes) are built here, one at a time. */
const topLevel = new AttributeBuilder();

function attrList(v: unknown, depth = 0): AttrMap {
  if (v === undefined || v === null) return {};
  if (!Array.isArray(v)) throw new OtlpJsonError('attributes must be an array of {key, value}');
  if (depth === 0) {
    // A map value (depth + 1) is built by assignment: the builder holds one map at a time. What
    // an earlier list left when it failed to decode is dropped first.
    topLevel.reset();
    for (const kv of v) {
      if (!isObject(kv) || typeof kv['key'] !== 'string')
        throw new OtlpJsonError('attribute without a string key');
      topLevel.add(kv['key'], anyValue(kv['value'], depth));
    }
    return topLevel.build();
  }
  const out: AttrMap = {};
  for (const kv of v) {
    if (!isObject(kv) || typeof kv['key'] !== 'string')
      throw new OtlpJsonError('attribute without a string key');
    setAttribute(out, kv['key'], anyValue(kv['value'], depth));
  }
  return out;
}

function anyValue(v: unknown, depth: number): AttrValue {
  if (depth > MAX_VALUE_DEPTH)
    throw new OtlpJsonError(`attribute value nested deeper than ${MAX_VALUE_DEPTH}`);
  if (!isObject(v)) return null;
  const s = field(v, 'stringValue', 'string_value');
  if (s !== undefined) return str(s);
  const b = field(v, 'boolValue', 'bool_value');
  if (b !== undefined) return b === true || b === 'true';
  const i = field(v, 'intValue', 'int_value');
  if (i !== undefined) return intValue(i);
  const d = field(v, 'doubleValue', 'double_value');
  if (d !== undefined) return typeof d === 'number' ? d : Number(d);
  const a = field(v, 'arrayValue', 'array_value');
  if (a !== undefined) {
    const values = isObject(a) ? field(a, 'values') : undefined;
    return Array.isArray(values) ? values.map((x) => anyValue(x, depth + 1)) : [];
  }
  const m = field(v, 'kvlistValue', 'kvlist_value');
  if (m !== undefined) return attrList(isObject(m) ? field(m, 'values') : undefined, depth + 1);
  const by = field(v, 'bytesValue', 'bytes_value');
  if (typeof by === 'string') return Buffer.from(by, 'base64');
  return null;
}

function intValue(v: unknown): number | bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : BigInt(v);
  }
  throw new OtlpJsonError(`intValue ${JSON.stringify(v)} is not an integer`);
}

function nanos(v: unknown, spanName: string, name: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  throw new OtlpJsonError(`span "${spanName}": ${name} ${JSON.stringify(v)} is not an unsigned integer`);
}

function id(v: unknown, bytes: number): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string') throw new OtlpJsonError('ids must be strings');
  if (/^[0-9a-fA-F]+$/.test(v)) {
    // Hex is the OTLP JSON encoding: of the wrong length it is a wrong id, not base64 (22 hex
    // digits are also 16 bytes of unpadded base64, which would make another span's id of them).
    return v.length === bytes * 2 ? v.toLowerCase() : v; // else left for validateSpanIds to reject
  }
  // Protobuf's canonical JSON mapping encodes bytes as base64; some exporters follow it.
  const decoded = Buffer.from(v, 'base64');
  if (decoded.length === bytes) return decoded.toString('hex');
  return v; // left for validateSpanIds to reject with a message
}

function enumValue(v: unknown, prefix: string, names: Record<string, number>): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return names[v.replace(prefix, '')] ?? 0;
  return 0;
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return ''; // objects and arrays are not names; the validator reports what it needs
}

function field(o: Json, ...names: string[]): unknown {
  for (const n of names) if (o[n] !== undefined) return o[n];
  return undefined;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
