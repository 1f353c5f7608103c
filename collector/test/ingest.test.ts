import { gzipSync } from 'node:zlib';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtobufTraces } from '../src/otlp/decode-protobuf.ts';
import { rows } from './support/chdb.ts';
import { startTestCollector } from './support/collector.ts';
import type { TestCollector } from './support/collector.ts';
import { captureOtlp } from './support/otlp-capture.ts';
import type { SpanSpec } from './support/otlp-capture.ts';

const call = (tokens: number): SpanSpec => ({
  name: 'chat gpt-4o',
  kind: SpanKind.CLIENT,
  scope: '@costline/instrument',
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'gen_ai.usage.input_tokens': tokens,
    'gen_ai.usage.cache_read.input_tokens': 17817,
    'gen_ai.usage.output_tokens': 250,
    'costline.surface': 'support-answer',
  },
});

let tc: TestCollector;
beforeAll(async () => {
  tc = await startTestCollector();
});
afterAll(async () => {
  await tc.stop();
});

async function post(body: Buffer | string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${tc.url}/v1/traces`, { method: 'POST', headers, body });
}

async function callRows(where = '1'): Promise<{ span_id: string; cost_usd: string; input_tokens: string }[]> {
  await tc.collector.flush();
  return rows(
    `SELECT span_id, toString(cost_usd) AS cost_usd, input_tokens FROM ${tc.database}.llm_calls WHERE ${where}`,
  );
}

describe('POST /v1/traces', () => {
  it('answers 400 with a message for a body that is not OTLP, and stores the next valid request', async () => {
    const bad = await post(Buffer.from('this is not protobuf \x00\xff\xff\xff'), {
      'content-type': 'application/x-protobuf',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/malformed OTLP protobuf body/);
    const badJson = await post('{"resourceSpans": 7}', { 'content-type': 'application/json' });
    expect(badJson.status).toBe(400);
    expect(await badJson.text()).toMatch(/resourceSpans must be an array/);

    const { requests } = await captureOtlp([call(17903)], { encoding: 'protobuf' });
    const good = await post(requests[0]?.body ?? Buffer.alloc(0), {
      'content-type': 'application/x-protobuf',
    });
    expect(good.status).toBe(200);
    const spanId = decodeProtobufTraces(requests[0]?.body ?? Buffer.alloc(0)).spans[0]?.spanId ?? '';
    const stored = await callRows(`span_id = '${spanId}'`);
    // gpt-4o: 86 uncached × $2.50 + 17817 cached × $1.25 + 250 out × $10 per Mtok (pricing.json)
    expect(stored).toEqual([{ span_id: spanId, cost_usd: '0.02498625', input_tokens: 17903 }]);
  });

  it('decompresses gzip bodies (protobuf and JSON) — cases/ingest-and-streams.md #1', async () => {
    for (const encoding of ['protobuf', 'json'] as const) {
      const { requests } = await captureOtlp([call(1999)], { encoding, compression: 'gzip' });
      const req = requests[0];
      expect(req?.contentEncoding).toBe('gzip');
      const res = await post(req?.body ?? Buffer.alloc(0), {
        'content-type': req?.contentType ?? '',
        'content-encoding': 'gzip',
      });
      expect(res.status).toBe(200);
    }
    const { requests } = await captureOtlp([call(1999)], { encoding: 'json' });
    const res = await post(gzipSync(requests[0]?.body ?? ''), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(200);
    expect(await callRows('input_tokens = 1999')).toHaveLength(3);
  });

  it('answers 400 for a body that claims gzip but is not', async () => {
    const res = await post('plain', { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/not valid gzip/);
  });

  it('answers 415 for an unsupported content type', async () => {
    const res = await post('{}', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
  });

  it('answers 200 with partial_success counting the spans it rejected', async () => {
    const body = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: 'zz', spanId: '0102030405060708', name: 'bad' },
                {
                  traceId: '0af7651916cd43dd8448eb211c80319d',
                  spanId: '0102030405060708',
                  name: 'ok',
                  startTimeUnixNano: '1763900010001000000',
                  endTimeUnixNano: '1763900010101000000',
                },
              ],
            },
          ],
        },
      ],
    });
    const res = await post(body, { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      partialSuccess: { rejectedSpans: '1', errorMessage: 'span "bad": invalid traceId' },
    });
    expect(tc.collector.metrics.get('costline_spans_rejected_total')).toBeGreaterThanOrEqual(1);
  });

  it('stores each span once however often it is delivered — cases/ingest-and-streams.md #3', async () => {
    const specs = [1001, 1002, 1003, 1004, 1005].map((t) => call(t + 20000));
    const { requests } = await captureOtlp(specs, { encoding: 'protobuf' });
    const bodies = requests.map((r) => r.body);
    expect(bodies).toHaveLength(5);
    const times = [3, 5, 6, 29, 5];
    for (const [i, body] of bodies.entries()) {
      for (let k = 0; k < (times[i] ?? 0); k++) {
        const res = await post(body, { 'content-type': 'application/x-protobuf' });
        expect(res.status).toBe(200);
      }
    }
    const stored = await callRows('input_tokens > 21000 AND input_tokens < 21006');
    expect(stored).toHaveLength(5);
  });
});
