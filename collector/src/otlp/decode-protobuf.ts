/**
 * Decodes an OTLP/HTTP protobuf `ExportTraceServiceRequest` into {@link DecodedSpan}s.
 * Hand-written over {@link ProtobufReader}: it reads only the fields the collector uses and skips
 * the rest, which keeps decoding off the collector's critical path.
 *
 * @module
 */

import { AttributeBuilder, setAttribute } from './attribute-shapes.ts';
import { ProtobufError, ProtobufReader, WIRE } from './protobuf-reader.ts';
import type { AttrMap, AttrValue, DecodedBatch, DecodedSpan, SpanEvent } from './span.ts';
import { validateSpanIds } from './validate-span.ts';

/** Deeper attribute values than this are rejected (a hostile payload could otherwise recurse). */
const MAX_VALUE_DEPTH = 16;

export function decodeProtobufTraces(buf: Uint8Array): DecodedBatch {
  const batch: DecodedBatch = { spans: [], rejected: 0, errors: [] };
  const r = new ProtobufReader(buf);
  while (!r.done()) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE.lengthDelimited) {
      const outer = r.enter();
      readResourceSpans(r, batch);
      r.leave(outer);
    } else r.skip(tag & 7);
  }
  return batch;
}

function readResourceSpans(r: ProtobufReader, batch: DecodedBatch): void {
  let resource: AttrMap = {};
  const scopes: [number, number][] = [];
  while (!r.done()) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === WIRE.lengthDelimited) {
      const outer = r.enter();
      resource = readResource(r);
      r.leave(outer);
    } else if (field === 2 && (tag & 7) === WIRE.lengthDelimited) scopes.push(r.bytesRange());
    else r.skip(tag & 7);
  }
  // The resource may follow its scopes on the wire, so read scopes once it is known.
  for (const [start, end] of scopes) {
    const outer = r.narrow(start, end);
    readScopeSpans(r, resource, batch);
    r.leave(outer);
  }
}

function readResource(r: ProtobufReader): AttrMap {
  const attrs: AttrMap = {};
  while (!r.done()) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE.lengthDelimited) readKeyValueField(r, attrs, 0);
    else r.skip(tag & 7);
  }
  return attrs;
}

function readScopeSpans(r: ProtobufReader, resource: AttrMap, batch: DecodedBatch): void {
  let scopeName = '';
  let scopeVersion = '';
  const spans: [number, number][] = [];
  while (!r.done()) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === WIRE.lengthDelimited) {
      const outer = r.enter();
      while (!r.done()) {
        const t = r.uint32();
        if (t >>> 3 === 1 && (t & 7) === WIRE.lengthDelimited) scopeName = r.string();
        else if (t >>> 3 === 2 && (t & 7) === WIRE.lengthDelimited) scopeVersion = r.string();
        else r.skip(t & 7);
      }
      r.leave(outer);
    } else if (field === 2 && (tag & 7) === WIRE.lengthDelimited) spans.push(r.bytesRange());
    else r.skip(tag & 7);
  }
  // The scope may follow its spans on the wire too.
  for (const [start, end] of spans) {
    const outer = r.narrow(start, end);
    const span = readSpan(r, scopeName, scopeVersion, resource);
    r.leave(outer);
    // Ids are `hex()` of their bytes: only their lengths can be wrong.
    const problem = validateSpanIds(span, true);
    if (problem) {
      batch.rejected++;
      if (batch.errors.length < 10) batch.errors.push(problem);
    } else batch.spans.push(span);
  }
}

function readSpan(
  r: ProtobufReader,
  scopeName: string,
  scopeVersion: string,
  resource: AttrMap,
): DecodedSpan {
  const span: DecodedSpan = {
    traceId: '',
    spanId: '',
    parentSpanId: '',
    name: '',
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: {},
    events: [],
    statusCode: 0,
    statusMessage: '',
    scopeName,
    scopeVersion,
    resource,
  };
  // What a span that failed to decode left is dropped.
  attributes.reset();
  while (!r.done()) {
    const tag = r.uint32();
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        span.traceId = expectLen(r, wt).hex();
        break;
      case 2:
        span.spanId = expectLen(r, wt).hex();
        break;
      case 4:
        span.parentSpanId = expectLen(r, wt).hex();
        break;
      case 5:
        span.name = expectLen(r, wt).string();
        break;
      case 6:
        span.kind = expectWire(r, wt, WIRE.varint).uint32();
        break;
      case 7:
        span.startTimeUnixNano = expectWire(r, wt, WIRE.fixed64).fixed64();
        break;
      case 8:
        span.endTimeUnixNano = expectWire(r, wt, WIRE.fixed64).fixed64();
        break;
      case 9: {
        const key = readKeyValue(expectLen(r, wt), 0);
        attributes.add(key, kvValue);
        break;
      }
      case 11: {
        const outer = expectLen(r, wt).enter();
        span.events.push(readEvent(r));
        r.leave(outer);
        break;
      }
      case 15: {
        const outer = expectLen(r, wt).enter();
        while (!r.done()) {
          const t = r.uint32();
          if (t >>> 3 === 2 && (t & 7) === WIRE.lengthDelimited) span.statusMessage = r.string();
          else if (t >>> 3 === 3 && (t & 7) === WIRE.varint) span.statusCode = r.uint32();
          else r.skip(t & 7);
        }
        r.leave(outer);
        break;
      }
      default:
        r.skip(wt);
    }
  }
  span.attributes = attributes.build();
  return span;
}

/** Span attributes are built here, one span at a time (see attribute-shapes.ts). */
const attributes = new AttributeBuilder();

function readEvent(r: ProtobufReader): SpanEvent {
  const ev: SpanEvent = { name: '', timeUnixNano: 0n, attributes: {} };
  while (!r.done()) {
    const tag = r.uint32();
    const wt = tag & 7;
    const field = tag >>> 3;
    if (field === 1 && wt === WIRE.fixed64) ev.timeUnixNano = r.fixed64();
    else if (field === 2 && wt === WIRE.lengthDelimited) ev.name = r.string();
    else if (field === 3 && wt === WIRE.lengthDelimited) readKeyValueField(r, ev.attributes, 0);
    else r.skip(wt);
  }
  return ev;
}

/** Reads the `KeyValue` message of the length-delimited field at the reader into `into`. */
function readKeyValueField(r: ProtobufReader, into: AttrMap, depth: number): void {
  const key = readKeyValue(r, depth);
  setAttribute(into, key, kvValue);
}

/** The value of the `KeyValue` read last (set by {@link readKeyValue}, which returns its key). */
let kvValue: AttrValue = null;

function readKeyValue(r: ProtobufReader, depth: number): string {
  const outer = r.enter();
  let key = '';
  let value: AttrValue = null;
  while (!r.done()) {
    const tag = r.uint32();
    const wt = tag & 7;
    if (tag >>> 3 === 1 && wt === WIRE.lengthDelimited) key = r.string();
    else if (tag >>> 3 === 2 && wt === WIRE.lengthDelimited) {
      const inner = r.enter();
      value = readAnyValue(r, depth);
      r.leave(inner);
    } else r.skip(wt);
  }
  r.leave(outer);
  // Set last: a map value read above set it for its own entries.
  kvValue = value;
  return key;
}

function readAnyValue(r: ProtobufReader, depth: number): AttrValue {
  if (depth > MAX_VALUE_DEPTH)
    throw new ProtobufError(`attribute value nested deeper than ${MAX_VALUE_DEPTH}`);
  let value: AttrValue = null;
  while (!r.done()) {
    const tag = r.uint32();
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        value = expectLen(r, wt).string();
        break;
      case 2:
        value = expectWire(r, wt, WIRE.varint).uint32() !== 0;
        break;
      case 3:
        value = expectWire(r, wt, WIRE.varint).int64Value();
        break;
      case 4:
        value = expectWire(r, wt, WIRE.fixed64).double();
        break;
      case 5: {
        const arr: AttrValue[] = [];
        const outer = expectLen(r, wt).enter();
        while (!r.done()) {
          const t = r.uint32();
          if (t >>> 3 === 1 && (t & 7) === WIRE.lengthDelimited) {
            const inner = r.enter();
            arr.push(readAnyValue(r, depth + 1));
            r.leave(inner);
          } else r.skip(t & 7);
        }
        r.leave(outer);
        value = arr;
        break;
      }
      case 6: {
        const map: AttrMap = {};
        const outer = expectLen(r, wt).enter();
        while (!r.done()) {
          const t = r.uint32();
          if (t >>> 3 === 1 && (t & 7) === WIRE.lengthDelimited) readKeyValueField(r, map, depth + 1);
          else r.skip(t & 7);
        }
        r.leave(outer);
        value = map;
        break;
      }
      case 7: {
        const [s, e] = expectLen(r, wt).bytesRange();
        // A copy: a view would keep the whole request body alive as long as the attribute.
        value = new Uint8Array(r.buf.subarray(s, e));
        break;
      }
      default:
        r.skip(wt);
    }
  }
  return value;
}

function expectWire(r: ProtobufReader, actual: number, expected: number): ProtobufReader {
  if (actual !== expected) throw new ProtobufError(`wire type ${actual} where ${expected} was expected`);
  return r;
}

function expectLen(r: ProtobufReader, actual: number): ProtobufReader {
  return expectWire(r, actual, WIRE.lengthDelimited);
}
