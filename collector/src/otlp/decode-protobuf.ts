/**
 * Decodes an OTLP/HTTP protobuf `ExportTraceServiceRequest` into {@link DecodedSpan}s.
 * Hand-written over {@link ProtobufReader}: it reads only the fields the collector uses and skips
 * the rest, which keeps decoding off the collector's critical path.
 *
 * @module
 */

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
    if (tag >>> 3 === 1 && (tag & 7) === WIRE.lengthDelimited) readResourceSpans(r.sub(), batch);
    else r.skip(tag & 7);
  }
  return batch;
}

function readResourceSpans(r: ProtobufReader, batch: DecodedBatch): void {
  let resource: AttrMap = {};
  const scopeReaders: ProtobufReader[] = [];
  while (!r.done()) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === WIRE.lengthDelimited) resource = readResource(r.sub());
    else if (field === 2 && (tag & 7) === WIRE.lengthDelimited) scopeReaders.push(r.sub());
    else r.skip(tag & 7);
  }
  // The resource may follow its scopes on the wire, so read scopes once it is known.
  for (const s of scopeReaders) readScopeSpans(s, resource, batch);
}

function readResource(r: ProtobufReader): AttrMap {
  const attrs: AttrMap = {};
  while (!r.done()) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE.lengthDelimited) readKeyValue(r.sub(), attrs, 0);
    else r.skip(tag & 7);
  }
  return attrs;
}

function readScopeSpans(r: ProtobufReader, resource: AttrMap, batch: DecodedBatch): void {
  let scopeName = '';
  let scopeVersion = '';
  const spanReaders: ProtobufReader[] = [];
  while (!r.done()) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === WIRE.lengthDelimited) {
      const s = r.sub();
      while (!s.done()) {
        const t = s.uint32();
        if (t >>> 3 === 1 && (t & 7) === WIRE.lengthDelimited) scopeName = s.string();
        else if (t >>> 3 === 2 && (t & 7) === WIRE.lengthDelimited) scopeVersion = s.string();
        else s.skip(t & 7);
      }
    } else if (field === 2 && (tag & 7) === WIRE.lengthDelimited) spanReaders.push(r.sub());
    else r.skip(tag & 7);
  }
  for (const s of spanReaders) {
    const span = readSpan(s, scopeName, scopeVersion, resource);
    const problem = validateSpanIds(span);
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
      case 9:
        readKeyValue(expectLen(r, wt).sub(), span.attributes, 0);
        break;
      case 11:
        span.events.push(readEvent(expectLen(r, wt).sub()));
        break;
      case 15: {
        const s = expectLen(r, wt).sub();
        while (!s.done()) {
          const t = s.uint32();
          if (t >>> 3 === 2 && (t & 7) === WIRE.lengthDelimited) span.statusMessage = s.string();
          else if (t >>> 3 === 3 && (t & 7) === WIRE.varint) span.statusCode = s.uint32();
          else s.skip(t & 7);
        }
        break;
      }
      default:
        r.skip(wt);
    }
  }
  return span;
}

function readEvent(r: ProtobufReader): SpanEvent {
  const ev: SpanEvent = { name: '', timeUnixNano: 0n, attributes: {} };
  while (!r.done()) {
    const tag = r.uint32();
    const wt = tag & 7;
    const field = tag >>> 3;
    if (field === 1 && wt === WIRE.fixed64) ev.timeUnixNano = r.fixed64();
    else if (field === 2 && wt === WIRE.lengthDelimited) ev.name = r.string();
    else if (field === 3 && wt === WIRE.lengthDelimited) readKeyValue(r.sub(), ev.attributes, 0);
    else r.skip(wt);
  }
  return ev;
}

function readKeyValue(r: ProtobufReader, into: AttrMap, depth: number): void {
  let key = '';
  let value: AttrValue = null;
  while (!r.done()) {
    const tag = r.uint32();
    const wt = tag & 7;
    if (tag >>> 3 === 1 && wt === WIRE.lengthDelimited) key = r.string();
    else if (tag >>> 3 === 2 && wt === WIRE.lengthDelimited) value = readAnyValue(r.sub(), depth);
    else r.skip(wt);
  }
  into[key] = value;
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
      case 3: {
        const big = expectWire(r, wt, WIRE.varint).int64();
        value =
          big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(big)
            : big;
        break;
      }
      case 4:
        value = expectWire(r, wt, WIRE.fixed64).double();
        break;
      case 5: {
        const arr: AttrValue[] = [];
        const s = expectLen(r, wt).sub();
        while (!s.done()) {
          const t = s.uint32();
          if (t >>> 3 === 1 && (t & 7) === WIRE.lengthDelimited) arr.push(readAnyValue(s.sub(), depth + 1));
          else s.skip(t & 7);
        }
        value = arr;
        break;
      }
      case 6: {
        const map: AttrMap = {};
        const s = expectLen(r, wt).sub();
        while (!s.done()) {
          const t = s.uint32();
          if (t >>> 3 === 1 && (t & 7) === WIRE.lengthDelimited) readKeyValue(s.sub(), map, depth + 1);
          else s.skip(t & 7);
        }
        value = map;
        break;
      }
      case 7: {
        const [s, e] = expectLen(r, wt).bytesRange();
        value = r.buf.slice(s, e);
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
