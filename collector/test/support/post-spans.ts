/**
 * Sends span trees through the real OTLP exporter to a test collector, one request per span (the
 * exporter's SimpleSpanProcessor order: children before parents, unless `order: 'parents-first'`),
 * then writes out everything held and returns the model-call rows per trace.
 */

import { decodeProtobufTraces } from '../../src/otlp/decode-protobuf.ts';
import { captureOtlp } from './otlp-capture.ts';
import type { SpanSpec } from './otlp-capture.ts';
import { rows } from './chdb.ts';
import type { TestCollector } from './collector.ts';

export interface StoredCall {
  trace_id: string;
  span_id: string;
  dialect: string;
  provider: string;
  operation: string;
  request_model: string;
  input_tokens: number;
  uncached_input_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost_usd: string;
  producer_cost_usd: string | null;
  priced: boolean;
  status: string;
  error_type: string;
  app_cache_hit: boolean;
  avoided_cost_usd: string;
  price_flags: string[];
}

export async function postSpans(
  tc: TestCollector,
  specs: SpanSpec[],
  order: 'children-first' | 'parents-first' = 'children-first',
): Promise<StoredCall[]> {
  const { requests } = await captureOtlp(specs, { encoding: 'protobuf' });
  const ordered = order === 'children-first' ? requests : [...requests].reverse();
  for (const req of ordered) {
    const res = await fetch(`${tc.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: req.body,
    });
    if (res.status !== 200) throw new Error(`collector answered ${res.status}: ${await res.text()}`);
  }
  tc.collector.pipeline.drain();
  tc.collector.assembler.drain();
  await tc.collector.flush();
  const ids = requests.flatMap((r) => decodeProtobufTraces(r.body).spans.map((s) => s.traceId));
  const traces = [...new Set(ids)].map((t) => `'${t}'`).join(',');
  return rows<StoredCall>(
    `SELECT trace_id, span_id, dialect, provider, operation, request_model, input_tokens, uncached_input_tokens,
            cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens,
            toString(cost_usd) AS cost_usd,
            if(isNull(producer_cost_usd), NULL, toString(producer_cost_usd)) AS producer_cost_usd,
            priced, status, error_type, app_cache_hit, toString(avoided_cost_usd) AS avoided_cost_usd, price_flags
     FROM ${tc.database}.llm_calls WHERE trace_id IN (${traces}) ORDER BY ts, span_id`,
  );
}
