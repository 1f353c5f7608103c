/**
 * Hostile input at `POST /v1/traces`: ≥ 10,000 mutated real OTLP payloads (protobuf and JSON), gzip
 * bombs, oversized bodies, huge attribute values, deep nesting and wrong content types. Every answer is
 * 2xx for what still decodes or 4xx with a message — never 5xx — the process stays up with bounded
 * memory, and valid requests interleaved with the garbage are all stored.
 */

import { getHeapStatistics } from 'node:v8';
import { gzipSync } from 'node:zlib';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipChunkSize } from '../src/app/traces-route.ts';
import { rows } from './support/chdb.ts';
import { startTestCollector } from './support/collector.ts';
import type { TestCollector } from './support/collector.ts';
import { deeplyNested, mutateBytes, mutateJson, mutateJsonText, prng } from './support/mutate.ts';
import { captureOtlp } from './support/otlp-capture.ts';
import type { CapturedRequest, SpanSpec } from './support/otlp-capture.ts';

const MUTATIONS = 10_000;
const VALID_EVERY = 100;

const modelCall = (customer: string): SpanSpec => ({
  name: 'chat gpt-4o',
  kind: SpanKind.CLIENT,
  scope: '@costline/instrument',
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'gen_ai.usage.input_tokens': 1999,
    'gen_ai.usage.cache_read.input_tokens': 1792,
    'gen_ai.usage.output_tokens': 120,
    'gen_ai.response.finish_reasons': ['stop'],
    'costline.surface': 'fuzz',
    'costline.customer.id': customer,
  },
});
const seedSpecs: SpanSpec[] = [
  modelCall('seed-call'),
  {
    name: 'action support-answer',
    scope: '@costline/instrument',
    attributes: { 'costline.surface': 'fuzz', 'costline.action.outcome': 'success' },
    children: [modelCall('seed-child')],
  },
];

let tc: TestCollector;
let seeds: { proto: CapturedRequest[]; json: CapturedRequest[] };
let valid: CapturedRequest[];

beforeAll(async () => {
  tc = await startTestCollector();
  seeds = {
    proto: (await captureOtlp(seedSpecs, { encoding: 'protobuf' })).requests,
    json: (await captureOtlp(seedSpecs, { encoding: 'json' })).requests,
  };
  // One request per span; in groups below the exporter's limit of concurrent exports.
  valid = [];
  for (let i = 0; i < MUTATIONS / VALID_EVERY; i += 20) {
    const specs = Array.from({ length: 20 }, (_, j) => modelCall(`valid-${i + j}`));
    const encoding = (i / 20) % 2 === 0 ? 'protobuf' : 'json';
    valid.push(...(await captureOtlp(specs, { encoding })).requests);
  }
});
afterAll(async () => {
  await tc?.stop();
});

async function post(body: Buffer | string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${tc.url}/v1/traces`, { method: 'POST', headers, body });
}
const PROTO = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };

describe('hostile input', () => {
  it(`answers ${MUTATIONS} mutated payloads with 2xx or 4xx and a message, and stores every valid request between them`, async () => {
    const r = prng(20261204);
    const statuses = new Map<number, number>();
    const wrong: string[] = [];
    const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const one = async (i: number): Promise<void> => {
      const kind = i % 3;
      let res: Response;
      if (kind === 0) {
        res = await post(mutateBytes(pick(seeds.proto).body, pick(seeds.proto).body, r), PROTO);
      } else {
        const text = pick(seeds.json).body.toString('utf8');
        const body = kind === 1 ? mutateJson(text, r) : mutateJsonText(text, r);
        res = await post(r() < 0.2 ? gzipSync(body) : body, {
          ...JSON_TYPE,
          ...(r() < 0.2 ? { 'content-encoding': 'gzip' } : {}),
        });
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const text = await res.text();
      const ok = res.status === 200 || (res.status >= 400 && res.status < 500 && text.length > 0);
      if (!ok && wrong.length < 5) wrong.push(`#${i}: ${res.status} ${text.slice(0, 200)}`);
    };
    const validStatuses: number[] = [];
    for (let i = 0; i < MUTATIONS; i += VALID_EVERY) {
      // A few at a time, as concurrent exporters would send them.
      for (let j = i; j < i + VALID_EVERY; j += 4) await Promise.all([j, j + 1, j + 2, j + 3].map(one));
      const v = valid[i / VALID_EVERY];
      if (!v) throw new Error('missing valid request');
      const res = await post(v.body, { 'content-type': v.contentType });
      validStatuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(wrong).toEqual([]);
    expect([...statuses.keys()].every((s) => s === 200 || (s >= 400 && s < 500))).toBe(true);
    // The mutations reach past the first checks: both outcomes occur, and most are refused.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(MUTATIONS / 4);
    expect(validStatuses).toEqual(valid.map(() => 200));

    await tc.collector.flush();
    const stored = await rows<{ n: string }>(
      `SELECT toString(sum(sign)) AS n FROM ${tc.database}.llm_calls WHERE startsWith(customer, 'valid-')`,
    );
    expect(stored[0]?.n).toBe(String(valid.length));
    expect((await fetch(`${tc.url}/healthz`)).status).toBe(200);
    expect(getHeapStatistics().used_heap_size).toBeLessThan(1024 ** 3);
  });

  it('refuses a gzip bomb with 413 without inflating it', async () => {
    const bomb = gzipSync(Buffer.alloc(512 * 1024 ** 2)); // 512 MiB of zeros, ~0.5 MiB compressed
    const before = getHeapStatistics().used_heap_size;
    const res = await post(bomb, { ...PROTO, 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/larger than \d+ bytes once decompressed/);
    expect(getHeapStatistics().used_heap_size - before).toBeLessThan(128 * 1024 ** 2);
  });

  it('refuses an oversized body with 413', async () => {
    const res = await post(Buffer.alloc(40 * 1024 ** 2, 0x0a), PROTO);
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/larger than/);
  });

  it('answers deep nesting with 400, not a crash', async () => {
    const res = await post(deeplyNested(200_000), JSON_TYPE);
    expect(res.status).toBe(400);
    expect((await res.text()).length).toBeGreaterThan(0);
    const deepProto = Buffer.concat(
      Array.from({ length: 100_000 }, () => Buffer.from([0x0a, 0x80, 0x80, 0x01])),
    );
    const res2 = await post(deepProto, PROTO);
    expect(res2.status).toBe(400);
  });

  it('keeps a call whose attribute values are huge, without storing the huge value', async () => {
    const spec = modelCall('huge-attribute');
    spec.attributes = { ...spec.attributes, 'app.note': 'n'.repeat(8 * 1024 ** 2) };
    const { requests } = await captureOtlp([spec], { encoding: 'json' });
    const res = await post(requests[0]?.body ?? '', JSON_TYPE);
    expect(res.status).toBe(200);
    await tc.collector.flush();
    const stored = await rows<{ cost: string }>(
      `SELECT toString(cost_usd) AS cost FROM ${tc.database}.llm_calls WHERE customer = 'huge-attribute'`,
    );
    expect(stored).toEqual([{ cost: '0.0039575' }]);
  });

  it.each([
    ['text/plain', 415],
    ['application/xml', 415],
    ['', 415],
    ['multipart/form-data; boundary=x', 415],
  ])('answers content type %j with %i and a message', async (type, status) => {
    const res = await post(seeds.proto[0]?.body ?? '', type ? { 'content-type': type } : {});
    expect(res.status).toBe(status);
    expect(await res.text()).toMatch(/content-type/);
  });

  it('refuses a gzip body whose size trailer lies with 400, and inflates two members whole', async () => {
    // The trailer (ISIZE) sizes the output chunk; zlib checks it, so a wrong one is a corrupt body.
    const { requests } = await captureOtlp([modelCall('gzip-trailer')], { encoding: 'protobuf' });
    const body = requests[0]?.body ?? Buffer.alloc(0);
    const withSize = (size: number): Buffer => {
      const gz = Buffer.from(gzipSync(body));
      gz.writeUInt32LE(size, gz.length - 4);
      return gz;
    };
    for (const size of [0, 1, body.length - 1, 0xffffffff]) {
      const res = await post(withSize(size), { ...PROTO, 'content-encoding': 'gzip' });
      expect(res.status, String(size)).toBe(400);
      expect(await res.text()).toMatch(/not valid gzip/);
    }
    // Two members: the trailer read is the last member's, smaller than the body; all of it is read.
    const half = Math.floor(body.length / 2);
    const twoMembers = Buffer.concat([gzipSync(body.subarray(0, half)), gzipSync(body.subarray(half))]);
    expect((await post(twoMembers, { ...PROTO, 'content-encoding': 'gzip' })).status).toBe(200);
    await tc.collector.flush();
    const stored = await rows<{ n: string }>(
      `SELECT toString(sum(sign)) AS n FROM ${tc.database}.llm_calls WHERE customer = 'gzip-trailer'`,
    );
    expect(stored).toEqual([{ n: '1' }]);
  });

  it('sizes the output chunk from the trailer, never past what the body can inflate to', async () => {
    const max = 32 * 1024 ** 2;
    // Honest trailers: the body's size and a byte to spare (64 KiB at least).
    expect(gzipChunkSize(gzipSync(Buffer.alloc(300_000, 'ab')), max)).toBe(300_001);
    expect(gzipChunkSize(gzipSync(Buffer.alloc(10)), max)).toBe(64 * 1024);
    // A claim of 4 GiB: bounded by deflate's 1,032-fold ratio, 8 MiB and the body limit.
    const claim = (gz: Buffer): Buffer =>
      Buffer.concat([gz.subarray(0, -4), Buffer.from([255, 255, 255, 255])]);
    const small = gzipSync(Buffer.from('x'.repeat(1000)));
    expect(gzipChunkSize(claim(small), max)).toBe(Math.max(64 * 1024, small.length * 1032));
    const large = gzipSync(Buffer.alloc(20 * 1024 ** 2));
    expect(gzipChunkSize(claim(large), max)).toBe(8 * 1024 ** 2);
    expect(gzipChunkSize(claim(large), 100_000)).toBe(100_001);
    // zlib ignores zero-led bytes after the last member, so padding is read as the trailer: the
    // body is accepted, and the claim it seems to make buys no more than its size allows.
    const { requests } = await captureOtlp([modelCall('gzip-padded')], { encoding: 'protobuf' });
    const gz = gzipSync(requests[0]?.body ?? Buffer.alloc(0));
    const padded = Buffer.concat([gz, Buffer.from([0, 0, 0, 0, 255, 255, 255, 255])]);
    expect(gzipChunkSize(padded, max)).toBe(Math.max(64 * 1024, padded.length * 1032));
    expect((await post(padded, { ...PROTO, 'content-encoding': 'gzip' })).status).toBe(200);
  });

  it('answers a body that claims gzip but is not with 400', async () => {
    const res = await post(seeds.proto[0]?.body ?? '', { ...PROTO, 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/not valid gzip/);
  });
});

describe('bearer token on ingest', () => {
  it('answers 401 without the token or with a wrong one, and stores what comes with it', async () => {
    const guarded = await startTestCollector({ ingestToken: 's3cret-token' });
    try {
      const { requests } = await captureOtlp([modelCall('with-token')], { encoding: 'protobuf' });
      const body = requests[0]?.body ?? Buffer.alloc(0);
      const send = (auth?: string): Promise<Response> =>
        fetch(`${guarded.url}/v1/traces`, {
          method: 'POST',
          headers: { ...PROTO, ...(auth ? { authorization: auth } : {}) },
          body,
        });
      for (const auth of [undefined, 'Bearer wrong', 's3cret-token', 'Basic czNjcmV0LXRva2Vu']) {
        const res = await send(auth);
        expect(res.status, String(auth)).toBe(401);
        expect(await res.text()).toMatch(/bearer token/);
      }
      const query = await fetch(`${guarded.url}/api/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'SELECT 1', format: 'JSONEachRow' }),
      });
      expect(query.status).toBe(401);
      expect((await send('Bearer s3cret-token')).status).toBe(200);
      // The scheme is case-insensitive; the token is not.
      expect((await send('bearer s3cret-token')).status).toBe(200);
      expect((await send('Bearer S3CRET-TOKEN')).status).toBe(401);
      await guarded.collector.flush();
      const stored = await rows<{ n: string }>(
        `SELECT toString(sum(sign)) AS n FROM ${guarded.database}.llm_calls WHERE customer = 'with-token'`,
      );
      expect(stored).toEqual([{ n: '1' }]); // sent twice, stored once
    } finally {
      await guarded.stop();
    }
  });
});

describe('span times', () => {
  const at = (start: string, end: string, id: string): string =>
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [] },
          scopeSpans: [
            {
              scope: { name: '@costline/instrument' },
              spans: [
                {
                  traceId: 'ab'.repeat(16),
                  spanId: id,
                  name: 'chat gpt-4o',
                  kind: 3,
                  startTimeUnixNano: start,
                  endTimeUnixNano: end,
                  attributes: [
                    { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                    { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
                    { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
                    { key: 'gen_ai.usage.input_tokens', value: { intValue: '10' } },
                    { key: 'gen_ai.usage.output_tokens', value: { intValue: '1' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
  const now = BigInt(Date.now()) * 1_000_000n;
  it.each([
    ['no start time', '0', String(now), 'startTimeUnixNano'],
    ['the year 2554', '18446744073709551615', '18446744073709551615', 'startTimeUnixNano'],
    ['beyond any date', '99999999999999999999999', '99999999999999999999999', 'startTimeUnixNano'],
    ['an end before the start', String(now), '1', 'endTimeUnixNano is before'],
    ['an end years ahead', String(now), '18446744073709551615', 'endTimeUnixNano'],
  ])(
    'rejects a span with %s in partial_success, and stores nothing of it',
    async (_what, start, end, message) => {
      const id = `${Math.floor(Math.random() * 1e15)}`.padStart(16, 'c').slice(0, 16);
      const res = await post(at(start, end, id), JSON_TYPE);
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string };
      };
      expect(Number(body.partialSuccess?.rejectedSpans)).toBe(1);
      expect(body.partialSuccess?.errorMessage).toContain(message);
      await tc.collector.flush();
      expect(await rows(`SELECT 1 FROM ${tc.database}.llm_calls WHERE span_id = '${id}'`)).toEqual([]);
    },
  );
});
