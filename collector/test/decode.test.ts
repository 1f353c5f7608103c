import { gunzipSync } from 'node:zlib';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { decodeJsonTraces } from '../src/otlp/decode-json.ts';
import { decodeProtobufTraces } from '../src/otlp/decode-protobuf.ts';
import { ProtobufError, ProtobufReader } from '../src/otlp/protobuf-reader.ts';
import { captureOtlp } from './support/otlp-capture.ts';

const specs = [
  {
    name: 'action support-answer',
    attributes: { 'costline.span.kind': 'action', 'costline.surface': 'support-answer' },
    children: [
      {
        name: 'chat gpt-4o',
        kind: SpanKind.CLIENT,
        scope: '@costline/instrument',
        scopeVersion: '0.1.0',
        status: { code: SpanStatusCode.ERROR, message: 'rate limited' },
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.usage.input_tokens': 17903,
          'gen_ai.request.stream': true,
          'gen_ai.response.time_to_first_chunk': 0.25,
          'gen_ai.response.finish_reasons': ['stop', 'length'],
          big: 2 ** 40,
          // Text of every shape the reader decodes differently: short and long, ASCII and not.
          'text.empty': '',
          'text.short_unicode': 'é 漢字 🙂',
          'text.long_ascii': 'x'.repeat(200),
          'text.long_unicode': 'ü'.repeat(100) + '🙂',
          'text.at_threshold': 'a'.repeat(63) + 'é',
        },
      },
    ],
  },
];

describe('OTLP decoding of real exporter bytes', () => {
  for (const encoding of ['protobuf', 'json'] as const) {
    it(`${encoding}: a request that fails mid-span leaves nothing in the next one's attributes`, async () => {
      const { requests } = await captureOtlp(specs, { encoding });
      const decode = (b: Buffer) =>
        encoding === 'protobuf' ? decodeProtobufTraces(b) : decodeJsonTraces(b.toString());
      const body = requests[0]?.body ?? Buffer.alloc(0);
      const expected = decode(body).spans.map((s) => s.attributes);
      // Cut inside the last span's attributes: the decoder throws with attributes half read.
      const text = body.toString('latin1');
      const cut =
        encoding === 'protobuf'
          ? body.subarray(0, text.lastIndexOf('text.long_ascii') + 4)
          : Buffer.from(text.slice(0, text.lastIndexOf('text.long_ascii')).replace(/,?\s*\{?"?$/, '') + '[');
      expect(() => decode(cut)).toThrow();
      for (let i = 0; i < 3; i++) expect(decode(body).spans.map((s) => s.attributes)).toEqual(expected);
    });

    it(`${encoding}: an attribute named __proto__ is an own attribute and pollutes nothing`, async () => {
      // The SDK drops a `__proto__` attribute: one of the same length is renamed in the bytes.
      const { requests } = await captureOtlp(
        [{ name: 'p', attributes: { __protX__: 'x', constructor: 'y', ok: 1 } }],
        { encoding },
      );
      const sent = requests[0]?.body ?? Buffer.alloc(0);
      const body = Buffer.from(sent.toString('latin1').replace('__protX__', '__proto__'), 'latin1');
      for (let i = 0; i < 20; i++) {
        const span = (
          encoding === 'protobuf' ? decodeProtobufTraces(body) : decodeJsonTraces(body.toString())
        ).spans[0];
        expect(Object.getPrototypeOf(span?.attributes)).toBe(Object.prototype);
        expect(span?.attributes['ok']).toBe(1);
        expect(span?.attributes['constructor']).toBe('y');
        expect(Object.getOwnPropertyDescriptor(span?.attributes, '__proto__')?.value).toBe('x');
      }
      expect(({} as Record<string, unknown>)['ok']).toBeUndefined();
    });
  }

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`${encoding}: every field the collector reads survives the round trip`, async () => {
      const { requests, spans } = await captureOtlp(specs, { encoding, serviceName: 'svc-a' });
      const decoded = requests.flatMap((r) =>
        encoding === 'protobuf'
          ? decodeProtobufTraces(r.body).spans
          : decodeJsonTraces(r.body.toString()).spans,
      );
      expect(decoded).toHaveLength(2);
      for (const original of spans) {
        const d = decoded.find((s) => s.spanId === original.spanContext().spanId);
        expect(d).toBeDefined();
        expect(d?.traceId).toBe(original.spanContext().traceId);
        expect(d?.parentSpanId).toBe(original.parentSpanContext?.spanId ?? '');
        expect(d?.name).toBe(original.name);
        expect(d?.kind).toBe(original.kind + 1); // API SpanKind is 0-based INTERNAL; OTLP is 1-based
        expect(d?.attributes).toEqual(original.attributes);
        expect(d?.statusCode).toBe(original.status.code);
        expect(d?.statusMessage).toBe(original.status.message ?? '');
        expect(d?.resource['service.name']).toBe('svc-a');
        expect(d?.scopeName).toBe(original.instrumentationScope.name);
        expect(d?.scopeVersion).toBe(original.instrumentationScope.version ?? '');
        const [s, ns] = original.startTime;
        expect(d?.startTimeUnixNano).toBe(BigInt(s) * 1_000_000_000n + BigInt(ns));
      }
    });
  }

  it('short strings and trace ids that repeat or nearly repeat decode exactly, every time', async () => {
    // The reader hands back a string it read before when the bytes are the same (an intern table
    // of 4,096 slots, the last trace id). 20,000 distinct strings of one length that differ in their
    // last characters must collide in that table; trace ids differ in their last byte only; keys
    // come back with other values; traces interleave in one request.
    const pad = (n: number): string => String(n).padStart(5, '0');
    let traces = 0;
    let spanIds = 0;
    const idGenerator = {
      generateTraceId: () => `${'ab'.repeat(15)}${(traces++ % 256).toString(16).padStart(2, '0')}`,
      generateSpanId: () => (++spanIds).toString(16).padStart(16, '0'),
    };
    const many = Array.from({ length: 200 }, (_, i) => ({
      name: `root ${pad(i)}`,
      attributes: Object.fromEntries(
        Array.from({ length: 100 }, (_, j) => [`k${pad(j)}`, `v${pad(i * 100 + j)}`]),
      ),
      children: [0, 1].map((j) => ({
        name: `child ${pad(i)}.${j}`,
        attributes: { [`k${pad(j)}`]: `v${pad(i)}é`, 'gen_ai.request.model': `m-${(i + j) % 5}` },
      })),
    }));
    const { requests, spans } = await captureOtlp(many, {
      encoding: 'protobuf',
      processor: 'batch',
      idGenerator,
    });
    expect(spans).toHaveLength(600);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(200);
    for (let pass = 0; pass < 2; pass++) {
      const decoded = new Map(
        requests.flatMap((r) => decodeProtobufTraces(r.body).spans).map((s) => [s.spanId, s]),
      );
      expect(decoded.size).toBe(600);
      for (const original of spans) {
        const d = decoded.get(original.spanContext().spanId);
        expect(d?.traceId).toBe(original.spanContext().traceId);
        expect(d?.name).toBe(original.name);
        expect(d?.attributes).toEqual(original.attributes);
      }
    }
  });

  it('gzip bodies from the exporter decode after gunzip', async () => {
    const { requests } = await captureOtlp(specs, { encoding: 'protobuf', compression: 'gzip' });
    expect(requests[0]?.contentEncoding).toBe('gzip');
    const spans = requests.flatMap((r) => decodeProtobufTraces(gunzipSync(r.body)).spans);
    expect(spans).toHaveLength(2);
  });

  it('truncated protobuf is an error, not a partial decode', async () => {
    const { requests } = await captureOtlp(specs, { encoding: 'protobuf' });
    const body = requests[0]?.body ?? Buffer.alloc(0);
    expect(() => decodeProtobufTraces(body.subarray(0, body.length - 7))).toThrow(ProtobufError);
  });
});

describe('OTLP JSON variants (cases/ingest-and-streams.md #2)', () => {
  const doc = (span: Record<string, unknown>): string =>
    JSON.stringify({
      resourceSpans: [
        { resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's' }, spans: [span] }] },
      ],
    });
  const base = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    name: 'x',
    kind: 3,
    startTimeUnixNano: '1763900010001000000',
    endTimeUnixNano: '1763900010002000000',
  };

  it('accepts 64-bit integers as bare numbers without losing precision', () => {
    // The times go in as bare numbers below, in place of base's strings.
    const { startTimeUnixNano: _start, endTimeUnixNano: _end, ...untimed } = base;
    const text = doc({ ...untimed, attributes: [{ key: 'n', value: { intValue: 0 } }] })
      .replace(
        '"kind":3',
        '"kind":3,"startTimeUnixNano":1763900010001000001,"endTimeUnixNano":1763900010002000003',
      )
      .replace('{"intValue":0}', '{"intValue":9007199254740993}');
    const [span] = decodeJsonTraces(text).spans;
    expect(span?.startTimeUnixNano).toBe(1763900010001000001n);
    expect(span?.endTimeUnixNano).toBe(1763900010002000003n);
    expect(span?.attributes['n']).toBe(9007199254740993n);
  });

  it('accepts integers as strings, enum names, base64 ids and snake_case fields', () => {
    const text = JSON.stringify({
      resource_spans: [
        {
          scope_spans: [
            {
              spans: [
                {
                  trace_id: Buffer.from(base.traceId, 'hex').toString('base64'),
                  span_id: Buffer.from(base.spanId, 'hex').toString('base64'),
                  name: 'y',
                  kind: 'SPAN_KIND_CLIENT',
                  start_time_unix_nano: '1763900010001000001',
                  attributes: [{ key: 'n', value: { int_value: '42' } }],
                  status: { code: 'STATUS_CODE_ERROR' },
                },
              ],
            },
          ],
        },
      ],
    });
    const [span] = decodeJsonTraces(text).spans;
    expect(span).toMatchObject({ traceId: base.traceId, spanId: base.spanId, kind: 3, statusCode: 2 });
    expect(span?.attributes['n']).toBe(42);
  });

  it('rejects a bad span alone and counts it', () => {
    const text = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                base,
                { ...base, spanId: 'nothex', name: 'bad-id' },
                { ...base, spanId: 'b7ad6b7169203332', startTimeUnixNano: 'soon' },
                // 22 hex digits: a wrong hex id, though also 16 bytes of unpadded base64.
                { ...base, traceId: '0af7651916cd43dd8448eb', spanId: 'b7ad6b7169203333', name: 'short-hex' },
              ],
            },
          ],
        },
      ],
    });
    const batch = decodeJsonTraces(text);
    expect(batch.spans).toHaveLength(1);
    expect(batch.rejected).toBe(3);
    expect(batch.errors.join(' ')).toMatch(/invalid spanId/);
    expect(batch.errors).toContain('span "short-hex": invalid traceId');
    expect(batch.errors.join(' ')).toMatch(/startTimeUnixNano "soon"/);
  });

  it('refuses a body that is not an OTLP export', () => {
    expect(() => decodeJsonTraces('{"hello": 1}')).toThrow(/no resourceSpans/);
    expect(() => decodeJsonTraces('not json')).toThrow(/not JSON/);
  });
});

describe('protobuf span ids', () => {
  // A hand-written ExportTraceServiceRequest: resource_spans(1) > scope_spans(2) > spans(2).
  const varint = (n: number): number[] => {
    const out: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
    out.push(n);
    return out;
  };
  const ld = (field: number, bytes: Buffer): Buffer =>
    Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(bytes.length)]), bytes]);
  const fixed64 = (field: number, v: bigint): Buffer => {
    const b = Buffer.alloc(9);
    b[0] = (field << 3) | 1;
    b.writeBigUInt64LE(v, 1);
    return b;
  };
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  const span = (name: string, ids: { trace?: Buffer; span?: Buffer; parent?: Buffer }): Buffer =>
    Buffer.concat([
      ...(ids.trace ? [ld(1, ids.trace)] : []),
      ...(ids.span ? [ld(2, ids.span)] : []),
      ...(ids.parent ? [ld(4, ids.parent)] : []),
      ld(5, Buffer.from(name)),
      fixed64(7, start),
      fixed64(8, start + 1_000_000n),
    ]);
  const request = (spans: Buffer[]): Buffer => ld(1, ld(2, Buffer.concat(spans.map((s) => ld(2, s)))));
  const bytes = (n: number, fill = 0xab): Buffer => Buffer.alloc(n, fill);

  it('keeps ids of the right lengths and refuses the others with the JSON decoder’s messages', () => {
    const good = { trace: bytes(16), span: bytes(8) };
    const batch = decodeProtobufTraces(
      request([
        span('ok', good),
        span('ok-child', { ...good, span: bytes(8, 0xcd), parent: bytes(8) }),
        span('zero-parent', { ...good, span: bytes(8, 0xce), parent: bytes(8, 0) }),
        span('short-trace', { ...good, trace: bytes(8) }),
        span('no-trace', { span: bytes(8) }),
        span('zero-trace', { ...good, trace: bytes(16, 0) }),
        span('long-span', { ...good, span: bytes(16) }),
        span('zero-span', { ...good, span: bytes(8, 0) }),
        span('short-parent', { ...good, span: bytes(8, 0xcf), parent: bytes(3) }),
      ]),
    );
    expect(batch.spans.map((s) => [s.name, s.traceId, s.spanId, s.parentSpanId])).toEqual([
      ['ok', 'ab'.repeat(16), 'ab'.repeat(8), ''],
      ['ok-child', 'ab'.repeat(16), 'cd'.repeat(8), 'ab'.repeat(8)],
      ['zero-parent', 'ab'.repeat(16), 'ce'.repeat(8), ''],
    ]);
    expect(batch.rejected).toBe(6);
    expect(batch.errors).toEqual([
      'span "short-trace": invalid traceId',
      'span "no-trace": invalid traceId',
      'span "zero-trace": invalid traceId',
      'span "long-span": invalid spanId',
      'span "zero-span": invalid spanId',
      'span "short-parent": invalid parentSpanId',
    ]);
  });
});

describe('protobuf varints', () => {
  /** The wire form of a signed 64-bit value (two's complement, as protobuf's int64). */
  const varint = (v: bigint): Buffer => {
    let u = BigInt.asUintN(64, v);
    const bytes: number[] = [];
    do {
      const b = Number(u & 0x7fn);
      u >>= 7n;
      bytes.push(u === 0n ? b : b | 0x80);
    } while (u !== 0n);
    return Buffer.from(bytes);
  };

  it('reads int64 values as numbers while safe and as bigints beyond, across the fast path’s edge', () => {
    const cases: bigint[] = [
      0n,
      1n,
      127n,
      128n,
      2n ** 49n - 1n, // the longest 7-byte varint
      2n ** 49n,
      2n ** 53n - 1n,
      2n ** 53n,
      2n ** 63n - 1n,
      -1n,
      -(2n ** 53n) + 1n,
      -(2n ** 53n),
      -(2n ** 63n),
    ];
    for (const v of cases) {
      const r = new ProtobufReader(Buffer.concat([varint(v), Buffer.from([0x2a])]));
      const got = r.int64Value();
      const safe = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
      expect(got).toStrictEqual(safe ? Number(v) : v);
      // The reader stands just past the varint.
      expect(r.uint32()).toBe(0x2a);
    }
  });

  it('skips varints of every length and refuses a truncated or overlong one', () => {
    for (const v of [0n, 300n, 2n ** 49n, -1n]) {
      const r = new ProtobufReader(Buffer.concat([varint(v), Buffer.from([0x2a])]));
      r.skip(0);
      expect(r.uint32()).toBe(0x2a);
    }
    expect(() => new ProtobufReader(Buffer.from([0x80, 0x80])).skip(0)).toThrow(ProtobufError);
    expect(() => new ProtobufReader(Buffer.alloc(11, 0x80)).skip(0)).toThrow(ProtobufError);
    expect(() => new ProtobufReader(Buffer.from([0x80, 0x80])).int64Value()).toThrow(ProtobufError);
  });
});
