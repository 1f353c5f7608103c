import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { interceptInserts } from './support/intercept-inserts.ts';
import { decodeJsonTraces } from '../src/otlp/decode-json.ts';
import { rows } from './support/chdb.ts';
import { startTestCollector } from './support/collector.ts';
import type { TestCollector } from './support/collector.ts';
import { captureOtlp } from './support/otlp-capture.ts';

const open: TestCollector[] = [];
afterAll(async () => {
  for (const tc of open) await tc.stop().catch(() => undefined);
});

const call = {
  name: 'chat gpt-4o',
  kind: SpanKind.CLIENT,
  scope: '@costline/instrument',
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 1000,
    'gen_ai.usage.output_tokens': 100,
    'costline.surface': 'doc-summary',
  },
};

describe('OTLP/HTTP protocol', () => {
  it('takes 64-bit integers as bare JSON numbers and enums as numbers, exactly — cases #2', async () => {
    const tc = await startTestCollector();
    open.push(tc);
    // Written by hand: the JS exporter always sends strings; other exporters send bare numbers.
    const body = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"py-svc"}}]},
      "scopeSpans":[{"scope":{"name":"opentelemetry.instrumentation.openai.v1","version":"0.40.0"},"spans":[
      {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"chat gpt-4o","kind":3,
       "startTimeUnixNano":1763900010001999999,"endTimeUnixNano":1763900010901999999,
       "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
         {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
         {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},
         {"key":"gen_ai.usage.input_tokens","value":{"intValue":83729}},
         {"key":"gen_ai.usage.output_tokens","value":{"intValue":"1000"}}],
       "status":{"code":1}},
      {"traceId":"not-hex","spanId":"eee19b7ec3c1b175","name":"broken"}]}]}]}`;
    const res = await fetch(`${tc.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ partialSuccess: { rejectedSpans: '1' } });
    await tc.collector.flush();
    tc.collector.assembler.drain();
    await tc.collector.flush();
    expect(
      await rows(
        `SELECT toString(ts) AS ts, input_tokens, output_tokens, toString(cost_usd) AS cost FROM ${tc.database}.llm_calls`,
      ),
    ).toEqual([
      // 83729 × $2.50 + 1000 × $10 per Mtok
      { ts: '2025-11-23 12:13:30.001', input_tokens: 83729, output_tokens: 1000, cost: '0.2193225' },
    ]);
    const metrics = await (await fetch(`${tc.url}/metrics`)).text();
    expect(metrics).toMatch(/^costline_spans_rejected_total 1$/m);
    // Where the ingest thread's time went: every stage this request passed through is counted.
    const seconds = (stage: string): number =>
      Number(
        new RegExp(`^costline_ingest_seconds_total\\{stage="${stage}"\\} (\\S+)$`, 'm').exec(metrics)?.[1],
      );
    for (const stage of ['decode', 'normalise', 'price', 'assemble', 'encode']) {
      expect(seconds(stage), stage).toBeGreaterThan(0);
    }
    expect(metrics).toMatch(/^costline_event_loop_busy_seconds_total \d/m);
    // A model call that is its trace's root is its own action, its status (OK) the outcome.
    expect(
      await rows(
        `SELECT action_id, outcome, surface, sum(sign) AS n FROM ${tc.database}.actions GROUP BY ALL`,
      ),
    ).toEqual([{ action_id: 'eee19b7ec3c1b174', outcome: 'success', surface: 'chat gpt-4o', n: 1 }]);
  });

  it('answers 429 with Retry-After while the insert queue is full, and accepts again once it drains', async () => {
    const tc = await startTestCollector({ maxQueueRows: 1 });
    open.push(tc);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const restore = interceptInserts(tc.collector.client, async (insert) => {
      await gate;
      return insert();
    });
    const { requests } = await captureOtlp([call], { encoding: 'protobuf' });
    const post = () =>
      fetch(`${tc.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: requests[0]?.body,
      });
    expect((await post()).status).toBe(200);
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    release();
    await tc.collector.flush();
    restore();
    expect((await post()).status).toBe(200); // the retry: a duplicate now, dropped
    await tc.collector.flush();
    expect(await rows(`SELECT sum(sign) AS n FROM ${tc.database}.llm_calls`)).toEqual([{ n: 1 }]);
  });

  it('serves /healthz, /readyz once migrated, and /metrics as Prometheus text', async () => {
    const tc = await startTestCollector();
    open.push(tc);
    expect((await fetch(`${tc.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${tc.url}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([200, 'ready']);
    const metrics = await fetch(`${tc.url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    expect(await metrics.text()).toMatch(/# TYPE costline_open_actions gauge\ncostline_open_actions 0/);
  });

  it('is not ready and answers 503 with Retry-After while the store does not answer', async () => {
    const tc = await startTestCollector({ healthCheckMs: 20 });
    open.push(tc);
    const client = tc.collector.client;
    const realPing = client.ping.bind(client);
    client.ping = () => Promise.reject(new Error('connection refused'));
    await new Promise((r) => setTimeout(r, 100));
    const ready = await fetch(`${tc.url}/readyz`);
    expect(ready.status).toBe(503);
    const { requests } = await captureOtlp([call], { encoding: 'protobuf' });
    const refused = await fetch(`${tc.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: requests[0]?.body,
    });
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '10']);
    client.ping = realPing;
    await new Promise((r) => setTimeout(r, 100));
    expect((await fetch(`${tc.url}/readyz`)).status).toBe(200);
  });

  it('answers 413 for a body over the limit, before and after decompression', async () => {
    const tc = await startTestCollector();
    open.push(tc);
    const big = Buffer.alloc(33 * 1024 * 1024, 'a');
    const res = await fetch(`${tc.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(res.status).toBe(413);
    const bomb = gzipSync(big); // ~33 KiB on the wire, 33 MiB inflated
    const inflated = await fetch(`${tc.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
    });
    expect([inflated.status, await inflated.text()]).toEqual([
      413,
      'body larger than 33554432 bytes once decompressed',
    ]);
  });

  it('forwards the spans downstream with exact costline.cost.* attributes', async () => {
    const received: string[] = [];
    const sink = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/v1/traces`;
    const tc = await startTestCollector({ forwardEndpoint: endpoint });
    open.push(tc);
    const { requests } = await captureOtlp([call], { encoding: 'protobuf' });
    await fetch(`${tc.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: requests[0]?.body,
    });
    await tc.stop();
    await new Promise<void>((r) => sink.close(() => r()));
    expect(received).toHaveLength(1);
    const forwarded = decodeJsonTraces(received[0] ?? '');
    expect(forwarded.rejected).toBe(0);
    expect(forwarded.spans[0]?.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 1000,
      'costline.surface': 'doc-summary',
      'costline.cost.priced': true,
      // 1000 × $2.50 + 100 × $10 per Mtok
      'costline.cost.usd': '0.003500000000',
    });
    expect(tc.collector.metrics.get('costline_forwarded_spans_total')).toBe(1);
  });
});
