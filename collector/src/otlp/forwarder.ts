/**
 * Optional forwarding (`COSTLINE_FORWARD_ENDPOINT`): the spans of each accepted request are sent on
 * to a downstream OTLP/HTTP endpoint (an OTel Collector, a tracing backend) as JSON, model calls
 * enriched with their exact `costline.cost.*` attributes. Best effort and off the ingest path: a
 * slow or failing downstream never delays or fails ingest; what cannot be sent is counted.
 *
 * @module
 */

import {
  COSTLINE_COST_CACHE_READ_USD,
  COSTLINE_COST_CACHE_WRITE_USD,
  COSTLINE_COST_INPUT_USD,
  COSTLINE_COST_OTHER_USD,
  COSTLINE_COST_OUTPUT_USD,
  COSTLINE_COST_PRICED,
  COSTLINE_COST_SOURCE,
  COSTLINE_COST_USD,
  COSTLINE_COST_VERSION,
} from '@costline/semconv';
import type { Metrics } from '../metrics.ts';
import type { LlmCallRow } from '../store/rows.ts';
import { encodeJsonTraces } from './encode-json.ts';
import type { AttrMap, DecodedSpan } from './span.ts';

export interface ForwarderOptions {
  /** e.g. http://otel-collector:4318/v1/traces */
  endpoint: string;
  metrics: Metrics;
  /** Requests in flight beyond which new batches are dropped (and counted). @default 16 */
  maxInFlight?: number;
  /** @default 10000 */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export interface Forwarder {
  forward(spans: readonly DecodedSpan[], calls: readonly LlmCallRow[]): void;
  /** Resolves when every request in flight has finished (shutdown, tests). */
  idle(): Promise<void>;
}

export function costAttributes(row: LlmCallRow): AttrMap {
  if (!row.priced) return { [COSTLINE_COST_PRICED]: false };
  return {
    [COSTLINE_COST_PRICED]: true,
    [COSTLINE_COST_USD]: row.cost_usd,
    [COSTLINE_COST_INPUT_USD]: row.cost_input_usd,
    [COSTLINE_COST_CACHE_READ_USD]: row.cost_cache_read_usd,
    [COSTLINE_COST_CACHE_WRITE_USD]: row.cost_cache_write_usd,
    [COSTLINE_COST_OUTPUT_USD]: row.cost_output_usd,
    [COSTLINE_COST_OTHER_USD]: row.cost_other_usd,
    [COSTLINE_COST_SOURCE]: row.price_source,
    [COSTLINE_COST_VERSION]: row.price_version,
  };
}

export function createForwarder(options: ForwarderOptions): Forwarder {
  const maxInFlight = options.maxInFlight ?? 16;
  const inFlight = new Set<Promise<void>>();
  const { metrics } = options;
  return {
    forward(spans, calls) {
      if (spans.length === 0) return;
      if (inFlight.size >= maxInFlight) {
        metrics.inc('costline_forward_dropped_spans_total', spans.length);
        return;
      }
      const bySpan = new Map(calls.map((c) => [`${c.trace_id}${c.span_id}`, c]));
      const body = encodeJsonTraces(spans, (s) => {
        const row = bySpan.get(`${s.traceId}${s.spanId}`);
        return row ? costAttributes(row) : {};
      });
      const p = fetch(options.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.ok) metrics.inc('costline_forwarded_spans_total', spans.length);
          else
            metrics.inc('costline_forward_failed_spans_total', spans.length, { status: String(res.status) });
        })
        .catch(() => {
          metrics.inc('costline_forward_failed_spans_total', spans.length, { status: 'network' });
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    async idle() {
      await Promise.all([...inFlight]);
    },
  };
}
