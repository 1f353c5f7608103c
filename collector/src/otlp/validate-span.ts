/**
 * The checks a span must pass to be stored: ids of the right length. A span failing them is
 * rejected alone (counted in `partial_success`), the rest of its request is kept.
 *
 * @module
 */

import type { DecodedSpan } from './span.ts';

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Returns why the span cannot be stored, or undefined when it can. Lowercases ids in place. */
export function validateSpanIds(span: DecodedSpan): string | undefined {
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
  return undefined;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
