import { SpanKind } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { interceptInserts } from './support/intercept-inserts.ts';
import { rows } from './support/chdb.ts';
import { startTestCollector } from './support/collector.ts';
import type { TestCollector } from './support/collector.ts';
import { captureOtlp } from './support/otlp-capture.ts';
import type { SpanSpec } from './support/otlp-capture.ts';

const ACTION = '00000000000000a1';
const call = (input: number): SpanSpec => ({
  name: 'chat gpt-4o',
  kind: SpanKind.CLIENT,
  scope: '@costline/instrument',
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'gen_ai.usage.input_tokens': input,
    'gen_ai.usage.output_tokens': 250,
    'costline.surface': 'support-answer',
    'costline.action.id': ACTION,
  },
});
const action: SpanSpec = {
  name: 'action support-answer',
  scope: '@costline/instrument',
  attributes: {
    'costline.span.kind': 'action',
    'costline.action.id': ACTION,
    'costline.surface': 'support-answer',
    'costline.action.outcome': 'success',
  },
  children: [call(1000), call(2000)],
};

const open: TestCollector[] = [];
afterAll(async () => {
  for (const tc of open) await tc.stop().catch(() => undefined);
});

async function post(tc: TestCollector, body: Buffer): Promise<void> {
  const res = await fetch(`${tc.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body,
  });
  expect(res.status).toBe(200);
}

/** What every table says about the database: raw counts and sums, and each aggregate's sums. */
async function totals(db: string) {
  const [calls] = await rows<Record<string, string | number>>(
    `SELECT count() AS row_count, sum(sign) AS calls, toString(sum(cost_usd)) AS cost FROM ${db}.llm_calls`,
  );
  const [actions] = await rows<Record<string, string | number>>(
    `SELECT count() AS row_count, sum(sign) AS actions, sumIf(sign, outcome = 'success') AS successes,
            toString(sum(cost_usd)) AS cost FROM ${db}.actions`,
  );
  const [surface] = await rows<Record<string, string | number>>(
    `SELECT sum(calls) AS calls, sum(actions) AS actions, sum(successes) AS successes,
            toString(sum(cost_usd)) AS cost, toString(sum(action_cost_usd)) AS action_cost,
            sum(input_tokens) AS input FROM ${db}.surface_minute`,
  );
  const [model] = await rows<Record<string, string | number>>(
    `SELECT sum(calls) AS calls, sum(successes) AS successes, toString(sum(cost_usd)) AS cost,
            sum(input_tokens) AS input FROM ${db}.model_minute`,
  );
  return { calls, actions, surface, model };
}

// gpt-4o: (1000 + 2000) in × $2.50 + 500 out × $10 per Mtok
const COST = '0.0125';
const ONCE = {
  calls: { row_count: 2, calls: 2, cost: COST },
  actions: { row_count: 1, actions: 1, successes: 1, cost: COST },
  surface: { calls: 2, actions: 1, successes: 1, cost: COST, action_cost: COST, input: 3000 },
  model: { calls: 2, successes: 2, cost: COST, input: 3000 },
};

describe('exactly once', () => {
  it('stores and aggregates the same OTLP request posted twice once — and again after a restart', async () => {
    const { requests } = await captureOtlp([action], { encoding: 'protobuf' });
    expect(requests).toHaveLength(3); // the exporter sends each span as it ends
    const first = await startTestCollector();
    open.push(first);
    for (const r of requests) await post(first, r.body);
    for (const r of requests) await post(first, r.body);
    await first.collector.flush();
    expect(await totals(first.database)).toEqual(ONCE);
    expect(first.collector.metrics.get('costline_spans_duplicate_total')).toBe(3);

    await first.stop();
    const second = await startTestCollector({ database: first.database });
    open.push(second);
    for (const r of requests) await post(second, r.body);
    await second.collector.flush();
    await second.stop();
    expect(await totals(first.database)).toEqual(ONCE);
  });

  it('stores a batch insert retried after a timeout once, its aggregates too', async () => {
    const { requests } = await captureOtlp([{ ...action, attributes: { ...action.attributes } }], {
      encoding: 'protobuf',
    });
    const tc = await startTestCollector();
    open.push(tc);
    // The insert reaches the store, then the answer is lost (a timeout): the writer retries.
    let failures = 0;
    const restore = interceptInserts(tc.collector.client, async (insert) => {
      const result = await insert();
      if (failures < 2) {
        failures++;
        throw new Error('socket timeout after the server stored the rows');
      }
      return result;
    });
    try {
      for (const r of requests) await post(tc, r.body);
      await tc.collector.flush();
    } finally {
      restore();
    }
    expect(failures).toBe(2);
    expect(tc.collector.metrics.get('costline_insert_errors_total')).toBe(2);
    expect(await totals(tc.database)).toEqual(ONCE);
  });
});
