/**
 * The checks a span must pass to be stored: ids of the right length, and times a call can have
 * (from 2000 on, not more than a day ahead of this clock, ending no earlier than it starts) — a span
 * stamped 1970 or 2554 would be priced but fall outside every window, or stall a re-pricing that
 * walks the days. A span failing them is rejected alone (counted in `partial_success`), the rest of
 * its request is kept.
 *
 * @module
 */

import type { DecodedSpan } from './span.ts';

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
const EARLIEST_NS = BigInt(Date.UTC(2000, 0, 1)) * 1_000_000n;
const AHEAD_NS = 86_400_000n * 1_000_000n;

/**
 * Returns why the span cannot be stored, or undefined when it can. Lowercases ids in place.
 *
 * `idsAreHex`: the ids were written by `Buffer#toString('hex')` (the protobuf decoder), so they are
 * lowercase hex already and only their lengths need checking — the same verdicts, without three
 * lowercasings and three regular expressions per span.
 */
export function validateSpanIds(span: DecodedSpan, idsAreHex = false): string | undefined {
  if (idsAreHex) {
    if (span.traceId.length !== 32 || span.traceId === ZERO_TRACE)
      return `span "${clip(span.name)}": invalid traceId`;
    if (span.spanId.length !== 16 || span.spanId === ZERO_SPAN)
      return `span "${clip(span.name)}": invalid spanId`;
    if (span.parentSpanId === ZERO_SPAN) span.parentSpanId = '';
    if (span.parentSpanId !== '' && span.parentSpanId.length !== 16)
      return `span "${clip(span.name)}": invalid parentSpanId`;
    return validateTimes(span);
  }
  span.traceId = span.traceId.toLowerCase();
  span.spanId = span.spanId.toLowerCase();
  span.parentSpanId = span.parentSpanId.toLowerCase();
  if (!TRACE_ID.test(span.traceId) || span.traceId === ZERO_TRACE)
    return `span "${clip(span.name)}": invalid traceId`;
  if (!SPAN_ID.test(span.spanId) || span.spanId === ZERO_SPAN)
    return `span "${clip(span.name)}": invalid spanId`;
  if (span.parentSpanId === ZERO_SPAN) span.parentSpanId = '';
  if (span.parentSpanId !== '' && !SPAN_ID.test(span.parentSpanId))
    return `span "${clip(span.name)}": invalid parentSpanId`;
  return validateTimes(span);
}

/** The latest time a span may have, for the clock's current millisecond (one bigint per ms, not per span). */
let latestForMs = -1;
let latestNs = 0n;
function latestAllowed(nowMs: number): bigint {
  if (nowMs !== latestForMs) {
    latestForMs = nowMs;
    latestNs = BigInt(nowMs) * 1_000_000n + AHEAD_NS;
  }
  return latestNs;
}

function validateTimes(span: DecodedSpan, nowMs = Date.now()): string | undefined {
  const latest = latestAllowed(nowMs);
  const start = span.startTimeUnixNano;
  if (start < EARLIEST_NS || start > latest) {
    return `span "${clip(span.name)}": startTimeUnixNano ${start} is not a time a call can have (2000 to a day from now)`;
  }
  // A span without an end (some hand-made exports) is taken as instantaneous, not refused.
  if (span.endTimeUnixNano === 0n) span.endTimeUnixNano = start;
  if (span.endTimeUnixNano < start)
    return `span "${clip(span.name)}": endTimeUnixNano is before startTimeUnixNano`;
  if (span.endTimeUnixNano > latest) {
    return `span "${clip(span.name)}": endTimeUnixNano ${span.endTimeUnixNano} is more than a day from now`;
  }
  return undefined;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
