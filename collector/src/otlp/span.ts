/**
 * The decoded form of an OTLP span that the rest of the collector works on, independent of whether
 * it arrived as protobuf or JSON.
 *
 * @module
 */

export type AttrValue = string | number | boolean | bigint | Uint8Array | AttrValue[] | AttrMap | null;
export interface AttrMap {
  [key: string]: AttrValue;
}

export const SPAN_KIND = {
  unspecified: 0,
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
} as const;
export const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

export interface SpanEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: AttrMap;
}

export interface DecodedSpan {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
  /** 16 lowercase hex characters, or '' for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: AttrMap;
  events: SpanEvent[];
  statusCode: number;
  statusMessage: string;
  scopeName: string;
  scopeVersion: string;
  resource: AttrMap;
}

/** One decoded export request: the spans that decoded, and how many were rejected with why. */
export interface DecodedBatch {
  spans: DecodedSpan[];
  rejected: number;
  errors: string[];
}
