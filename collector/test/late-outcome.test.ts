import { SpanKind } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { rows } from './support/chdb.ts';
import { startTestCollector } from './support/collector.ts';
import type { TestCollector } from './support/collector.ts';
import { captureOtlp } from './support/otlp-capture.ts';
import type { SpanSpec } from './support/otlp-capture.ts';

const open: TestCollector[] = [];
afterAll(async () => {
  for (const tc of open) await tc.stop().catch(() => undefined);
});

const call = (actionId: string, input: number): SpanSpec => ({
  name: 'chat gpt-4o',
  kind: SpanKind.CLIENT,
  scope: '@costline/instrument',
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': input,
    'gen_ai.usage.output_tokens': 100,
    'costline.surface': 'support-answer',
    'costline.action.id': actionId,
  },
});
const action = (id: string, children: SpanSpec[]): SpanSpec => ({
  name: 'action support-answer',
  scope: '@costline/instrument',
  attributes: {
    'costline.span.kind': 'action',
    'costline.action.id': id,
    'costline.surface': 'support-answer',
    'costline.action.outcome': 'success',
  },
  children,
});
const outcomeSpan = (id: string, outcome = 'failure'): SpanSpec => ({
  name: 'costline.outcome',
  scope: '@costline/instrument',
  attributes: {
    'costline.span.kind': 'outcome',
    'costline.action.id': id,
    'costline.action.outcome': outcome,
    ...(outcome === 'failure' ? { 'costline.action.failure_reason': 'thumbs_down' } : {}),
  },
});

async function post(tc: TestCollector, body: Buffer): Promise<void> {
  const res = await fetch(`${tc.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body,
  });
  expect(res.status).toBe(200);
}

async function view(db: string, id: string) {
  const [a] = await rows<Record<string, unknown>>(
    `SELECT sum(sign) AS actions, sumIf(sign, outcome = 'success') AS successes,
            sumIf(sign, outcome = 'failure') AS failures, toString(sum(cost_usd)) AS cost,
            sum(llm_calls) AS llm_calls
     FROM ${db}.actions WHERE action_id = '${id}'`,
  );
  const [c] = await rows<Record<string, unknown>>(
    `SELECT sum(sign) AS calls, sumIf(sign, action_outcome = 'failure') AS failed,
            toString(sumIf(cost_usd, action_outcome = 'failure')) AS failed_cost
     FROM ${db}.llm_calls WHERE action_id = '${id}'`,
  );
  const [agg] = await rows<Record<string, unknown>>(
    `SELECT sum(actions) AS actions, sum(successes) AS successes, sum(failures) AS failures,
            toString(sum(failed_action_cost_usd)) AS failed_action_cost,
            toString(sum(failed_cost_usd)) AS failed_cost, toString(sum(cost_usd)) AS cost
     FROM ${db}.surface_minute`,
  );
  return { a, c, agg };
}

// gpt-4o: 3000 in × $2.50 + 200 out × $10 per Mtok = $0.0095
const FAILED = {
  a: { actions: 1, successes: 0, failures: 1, cost: '0.0095', llm_calls: 2 },
  c: { calls: 2, failed: 2, failed_cost: '0.0095' },
  agg: {
    actions: 1,
    successes: 0,
    failures: 1,
    failed_action_cost: '0.0095',
    failed_cost: '0.0095',
    cost: '0.0095',
  },
};

describe('late outcomes and late calls', () => {
  it('a late outcome turns a stored success into a failure in every table, once', async () => {
    const tc = await startTestCollector();
    open.push(tc);
    const id = '00000000000000b1';
    for (const r of (
      await captureOtlp([action(id, [call(id, 1000), call(id, 2000)])], { encoding: 'protobuf' })
    ).requests)
      await post(tc, r.body);
    await tc.collector.flush();
    expect((await view(tc.database, id)).agg).toMatchObject({ successes: 1, failures: 0 });

    const late = (await captureOtlp([outcomeSpan(id)], { encoding: 'protobuf' })).requests;
    await post(tc, late[0]?.body ?? Buffer.alloc(0));
    await post(tc, late[0]?.body ?? Buffer.alloc(0)); // delivered again
    await tc.collector.flush();
    expect(await view(tc.database, id)).toEqual(FAILED);
  });

  it('a late outcome after a restart is applied from the store', async () => {
    const first = await startTestCollector();
    open.push(first);
    const id = '00000000000000b2';
    for (const r of (
      await captureOtlp([action(id, [call(id, 1000), call(id, 2000)])], { encoding: 'protobuf' })
    ).requests)
      await post(first, r.body);
    await first.stop();
    const second = await startTestCollector({ database: first.database });
    open.push(second);
    const late = (await captureOtlp([outcomeSpan(id)], { encoding: 'protobuf' })).requests;
    await post(second, late[0]?.body ?? Buffer.alloc(0));
    await second.collector.flush();
    expect(await view(second.database, id)).toEqual(FAILED);
    expect(second.collector.metrics.get('costline_outcome_corrections_total')).toBe(1);
  });

  it('a late call adds to the stored action through a delta row (plain sums stay right)', async () => {
    const tc = await startTestCollector();
    open.push(tc);
    const id = '00000000000000b3';
    const { requests } = await captureOtlp([action(id, [call(id, 1000), call(id, 2000)])], {
      encoding: 'protobuf',
    });
    // The action span (last request) first, then its calls: both calls are late.
    for (const r of [...requests].reverse()) await post(tc, r.body);
    await tc.collector.flush();
    const [a] = await rows<Record<string, unknown>>(
      `SELECT sum(sign) AS actions, count() AS row_count, sum(llm_calls) AS llm_calls,
              sum(input_tokens) AS input, toString(sum(cost_usd)) AS cost
       FROM ${tc.database}.actions`,
    );
    expect(a).toEqual({ actions: 1, row_count: 3, llm_calls: 2, input: 3000, cost: '0.0095' });
    const [c] = await rows<Record<string, unknown>>(
      `SELECT sumIf(sign, action_outcome = 'success') AS calls FROM ${tc.database}.llm_calls`,
    );
    expect(c).toEqual({ calls: 2 });
  });

  it('many late outcomes are corrected together: one read per table, and a second outcome of one action after the first', async () => {
    const tc = await startTestCollector();
    open.push(tc);
    const ids = Array.from({ length: 300 }, (_, i) => `0000000000${(0xc00000 + i).toString(16)}`);
    const stored = await captureOtlp(
      ids.map((id) => action(id, [call(id, 1000)])),
      { encoding: 'protobuf', processor: 'batch' },
    );
    for (const r of stored.requests) await post(tc, r.body);
    await tc.collector.flush();

    // Count the corrector's reads from here on.
    const client = tc.collector.client;
    const query = client.query.bind(client);
    let reads = 0;
    client.query = (params: Parameters<typeof query>[0]) => {
      if (params.query.includes('action_id IN')) reads++;
      return query(params);
    };
    // Every action fails; then the first five are marked a success again, in the same request.
    const late = await captureOtlp(
      [...ids.map((id) => outcomeSpan(id)), ...ids.slice(0, 5).map((id) => outcomeSpan(id, 'success'))],
      { encoding: 'protobuf', processor: 'batch' },
    );
    for (const r of late.requests) await post(tc, r.body);
    await tc.collector.flush();
    client.query = query;

    // Two rounds (the five actions asked twice go in the second), two tables each.
    expect(reads).toBe(4);
    expect(tc.collector.metrics.get('costline_outcome_corrections_total')).toBe(305);
    const [a] = await rows<Record<string, unknown>>(
      `SELECT sum(sign) AS actions, sumIf(sign, outcome = 'failure') AS failures,
              sumIf(sign, outcome = 'success') AS successes,
              sumIf(sign, outcome = 'failure' AND failure_reason = 'thumbs_down') AS with_reason
       FROM ${tc.database}.actions`,
    );
    expect(a).toEqual({ actions: 300, failures: 295, successes: 5, with_reason: 295 });
    const [c] = await rows<Record<string, unknown>>(
      `SELECT sum(sign) AS calls, sumIf(sign, action_outcome = 'failure') AS failed,
              sumIf(sign, action_outcome = 'success') AS ok
       FROM ${tc.database}.llm_calls`,
    );
    expect(c).toEqual({ calls: 300, failed: 295, ok: 5 });
    const [agg] = await rows<Record<string, unknown>>(
      `SELECT sum(actions) AS actions, sum(failures) AS failures, sum(successes) AS successes
       FROM ${tc.database}.surface_minute`,
    );
    expect(agg).toEqual({ actions: 300, failures: 295, successes: 5 });
  });
});
