/**
 * Re-pricing on real chDB: calls stored at genai-prices' gpt-4o price through the real exporter and
 * ingest path, then a price-book entry whose effective date is earlier than the rows, `reprice`,
 * and the stored costs and the report change by exactly the expected amount — append-only, and
 * idempotent when run again, cut off half-way, or switched back and forth.
 *
 * Per call: 6,000 uncached × $2.50 + 4,000 cached × $1.25 + 1,000 out × $10 (per million) = $0.03
 * at list; with the book's $2 / $1 / $8 it is $0.024, a delta of −$0.006.
 */

import type { ClickHouseClient } from '@clickhouse/client';
import { SpanKind } from '@opentelemetry/api';
import { createPricer, parsePriceBook } from '@costline/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reprice } from '../src/price/reprice.ts';
import { clientRunner } from '../src/report/query-runner.ts';
import { surfaceReport } from '../src/report/surface-report.ts';
import { rows, testClient } from './support/chdb.ts';
import { startTestCollector } from './support/collector.ts';
import type { TestCollector } from './support/collector.ts';
import { captureOtlp } from './support/otlp-capture.ts';
import type { SpanSpec } from './support/otlp-capture.ts';

const BOOK = `version: negotiated-2026-11
models:
  - provider: openai
    model: gpt-4o-2024-08-06
    effective_from: 2026-11-01
    input_mtok: 2
    cache_read_mtok: 1
    output_mtok: 8
`;

const call = (action: string, n: number): SpanSpec => ({
  name: `chat gpt-4o ${n}`,
  kind: SpanKind.CLIENT,
  scope: '@costline/instrument',
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'gen_ai.usage.input_tokens': 10000,
    'gen_ai.usage.cache_read.input_tokens': 4000,
    'gen_ai.usage.output_tokens': 1000,
    'costline.surface': 'support-answer',
    'costline.action.id': action,
  },
});

const action = (id: string, calls: number): SpanSpec => ({
  name: 'action support-answer',
  scope: '@costline/instrument',
  attributes: {
    'costline.span.kind': 'action',
    'costline.action.id': id,
    'costline.surface': 'support-answer',
    'costline.action.outcome': 'success',
  },
  children: Array.from({ length: calls }, (_, i) => call(id, i)),
});

let tc: TestCollector;
const FROM = new Date('2026-11-01T00:00:00Z');
const bookPricer = createPricer({ priceBook: parsePriceBook(BOOK, 'book.yaml') });
const listPricer = createPricer();

beforeAll(async () => {
  tc = await startTestCollector();
  const { requests } = await captureOtlp([action('act-1', 2), action('act-2', 1)], { encoding: 'protobuf' });
  for (const r of requests) {
    const res = await fetch(`${tc.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: r.body,
    });
    expect(res.status).toBe(200);
  }
  await tc.collector.flush();
});
afterAll(async () => {
  await tc.stop();
});

interface Totals {
  calls: string;
  call_cost: string;
  input_cost: string;
  actions: string;
  action_cost: string;
  rows: string;
}

async function totals(): Promise<Totals> {
  const db = tc.database;
  const [t] = await rows<Totals>(
    `SELECT
       (SELECT toString(sum(sign)) FROM ${db}.llm_calls) AS calls,
       (SELECT toString(sum(cost_usd)) FROM ${db}.llm_calls) AS call_cost,
       (SELECT toString(sum(cost_input_usd)) FROM ${db}.llm_calls) AS input_cost,
       (SELECT toString(sum(sign)) FROM ${db}.actions) AS actions,
       (SELECT toString(sum(cost_usd)) FROM ${db}.actions) AS action_cost,
       toString((SELECT count() FROM ${db}.llm_calls) + (SELECT count() FROM ${db}.actions)) AS rows`,
  );
  if (!t) throw new Error('no totals');
  return t;
}

async function report() {
  const [r] = await surfaceReport(clientRunner(testClient()), { database: tc.database, since: FROM });
  return r;
}

/** A client whose first insert into `actions` fails, as if the process died between the two inserts. */
function failingActionsInsert(client: ClickHouseClient): ClickHouseClient {
  let failed = false;
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'insert') {
        return async (params: { table: string }) => {
          if (!failed && params.table.endsWith('.actions')) {
            failed = true;
            throw new Error('injected: connection lost');
          }
          return target.insert(params as Parameters<ClickHouseClient['insert']>[0]);
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

describe('costline reprice', () => {
  it('stores the calls at list price first', async () => {
    expect(await totals()).toMatchObject({
      calls: '3',
      call_cost: '0.09',
      actions: '2',
      action_cost: '0.09',
    });
    const r = await report();
    expect(r).toMatchObject({
      totalCostUsd: '0.090000000000',
      costPerSuccessUsd: '0.045000000000',
      successes: 2,
    });
  });

  it('a dry run shows the delta and writes nothing', async () => {
    const before = await totals();
    const result = await reprice(testClient(), tc.database, bookPricer, { from: FROM, dryRun: true });
    expect(result).toMatchObject({
      dryRun: true,
      calls: 3,
      changed: 3,
      actionsChanged: 2,
      deltaUsd: '-0.018000000000',
    });
    expect(await totals()).toEqual(before);
    // Paged one call at a time (keyset pagination inside each day), the result is the same.
    const paged = await reprice(testClient(), tc.database, bookPricer, {
      from: FROM,
      dryRun: true,
      pageSize: 1,
    });
    expect(paged).toEqual(result);
  });

  it('appends delta rows for an earlier-dated price-book entry; costs and the report move by exactly the delta', async () => {
    const result = await reprice(testClient(), tc.database, bookPricer, { from: FROM });
    expect(result).toMatchObject({
      calls: 3,
      changed: 3,
      actionsChanged: 2,
      oldUsd: '0.090000000000',
      newUsd: '0.072000000000',
      deltaUsd: '-0.018000000000',
    });
    expect(result.byModel).toEqual([
      {
        provider: 'openai',
        model: 'gpt-4o-2024-08-06',
        calls: 3,
        oldUsd: '0.090000000000',
        newUsd: '0.072000000000',
        deltaUsd: '-0.018000000000',
      },
    ]);
    // Counts unchanged (deltas have sign 0), money moved by −0.018 in both tables; 3 + 2 delta rows.
    expect(await totals()).toEqual({
      calls: '3',
      call_cost: '0.072',
      input_cost: '0.036',
      actions: '2',
      action_cost: '0.072',
      rows: String(5 + 5),
    });
    const r = await report();
    expect(r).toMatchObject({
      totalCostUsd: '0.072000000000',
      costPerSuccessUsd: '0.036000000000',
      modelCalls: 3,
    });
    const deltas = await rows<{
      sign: number;
      correction: string;
      price_source: string;
      price_version: string;
      cost_usd: string;
    }>(
      `SELECT sign, correction, price_source, price_version, toString(cost_usd) AS cost_usd FROM ${tc.database}.llm_calls WHERE sign = 0`,
    );
    expect(deltas).toHaveLength(3);
    for (const d of deltas) {
      expect(d).toEqual({
        sign: 0,
        correction: 'reprice',
        price_source: 'price-book',
        price_version: 'negotiated-2026-11',
        cost_usd: '-0.006',
      });
    }
  });

  it('a second run with the same book changes nothing', async () => {
    const before = await totals();
    const result = await reprice(testClient(), tc.database, bookPricer, { from: FROM });
    expect(result).toMatchObject({ changed: 0, actionsChanged: 0, deltaUsd: '0.000000000000' });
    expect(await totals()).toEqual(before);
  });

  it('back to list price and to the book again: each run applies once (dedup tokens are per run)', async () => {
    await reprice(testClient(), tc.database, listPricer, { from: FROM });
    expect(await totals()).toMatchObject({ call_cost: '0.09', action_cost: '0.09' });
    await reprice(testClient(), tc.database, bookPricer, { from: FROM });
    expect(await totals()).toMatchObject({
      calls: '3',
      call_cost: '0.072',
      actions: '2',
      action_cost: '0.072',
    });
  });

  it('a run cut off between the call and action inserts is completed by the next run', async () => {
    await expect(
      reprice(failingActionsInsert(testClient()), tc.database, listPricer, { from: FROM }),
    ).rejects.toThrow(/injected/);
    expect(await totals()).toMatchObject({ call_cost: '0.09', action_cost: '0.072' });
    const result = await reprice(testClient(), tc.database, listPricer, { from: FROM });
    expect(result).toMatchObject({ changed: 0, actionsChanged: 2 });
    expect(await totals()).toMatchObject({ call_cost: '0.09', action_cost: '0.09' });
  });

  it('leaves calls outside the window alone', async () => {
    const result = await reprice(testClient(), tc.database, bookPricer, {
      from: new Date('2026-11-16T00:00:00Z'),
    });
    expect(result).toMatchObject({ calls: 0, changed: 0 });
    expect(await totals()).toMatchObject({ call_cost: '0.09' });
  });

  it('runs through the collector (POST /api/reprice) with the book sent by the CLI', async () => {
    const res = await fetch(`${tc.url}/api/reprice`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: FROM.toISOString(), priceBook: BOOK, priceBookName: 'book.yaml' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ changed: 3, deltaUsd: '-0.018000000000' });
    expect(await totals()).toMatchObject({ call_cost: '0.072', action_cost: '0.072' });
    const bad = await fetch(`${tc.url}/api/reprice`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: FROM.toISOString(),
        priceBook: 'models:\n  - provider: p\n    model: m\n    input_mtok: x\n',
        priceBookName: 'b.yaml',
      }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe(
      'price book b.yaml line 4, models[0].input_mtok: must be a non-negative decimal, got the string "x"',
    );
  });
});
