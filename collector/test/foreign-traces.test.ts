/**
 * Other producers' traces through the endpoint, with real OTLP bytes: the local root span is the
 * action, children may come before parents across requests, and a call whose parent never comes is
 * kept with its cost (cases/ingest-and-streams.md #6).
 */

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

const chat: SpanSpec = {
  name: 'chat gpt-4o',
  kind: SpanKind.CLIENT,
  scope: 'opentelemetry.instrumentation.openai.v1',
  scopeVersion: '0.40.0',
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 1000,
    'gen_ai.usage.output_tokens': 100,
  },
};
const root = (status: { code: number } | undefined): SpanSpec => ({
  name: 'POST /triage',
  kind: SpanKind.SERVER,
  scope: '@opentelemetry/instrumentation-http',
  attributes: { 'http.route': '/triage' },
  ...(status ? { status } : {}),
  children: [
    {
      name: 'triage workflow',
      scope: 'traceloop',
      attributes: { 'traceloop.workflow.name': 'ticket-triage' },
      children: [chat],
    },
  ],
});

async function post(tc: TestCollector, body: Buffer | undefined): Promise<void> {
  const res = await fetch(`${tc.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body,
  });
  expect(res.status).toBe(200);
}

describe("other producers' traces", () => {
  it('links children to parents arriving in later requests; the root is the action, its status the outcome', async () => {
    const tc = await startTestCollector();
    open.push(tc);
    const { requests } = await captureOtlp([root({ code: 2 })], { encoding: 'protobuf' });
    expect(requests).toHaveLength(3); // chat, workflow, root: children first
    for (const r of requests) await post(tc, r.body);
    await tc.collector.flush();
    expect(
      await rows(
        `SELECT surface, outcome, failure_reason, llm_calls, toString(cost_usd) AS cost, sum(sign) AS n
         FROM ${tc.database}.actions GROUP BY ALL`,
      ),
    ).toEqual([
      // gpt-4o: 1000 × $2.50 + 100 × $10 per Mtok; the surface from traceloop.workflow.name
      {
        surface: 'ticket-triage',
        outcome: 'failure',
        failure_reason: 'error',
        llm_calls: 1,
        cost: '0.0035',
        n: 1,
      },
    ]);
    expect(await rows(`SELECT surface, action_outcome FROM ${tc.database}.llm_calls`)).toEqual([
      { surface: 'ticket-triage', action_outcome: 'failure' },
    ]);
  });

  it('keeps a call whose parent never arrives, with its cost, as an action of outcome unknown — #6', async () => {
    const tc = await startTestCollector({ actionWaitMs: 100 });
    open.push(tc);
    const { requests } = await captureOtlp([root(undefined)], { encoding: 'protobuf' });
    await post(tc, requests[0]?.body); // the call only; its parents never come
    for (let i = 0; i < 50 && tc.collector.assembler.stats().openActions > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    await tc.collector.flush();
    expect(
      await rows(
        `SELECT surface, outcome, toString(cost_usd) AS cost, sum(sign) AS n FROM ${tc.database}.actions GROUP BY ALL`,
      ),
    ).toEqual([{ surface: 'unattributed', outcome: 'unknown', cost: '0.0035', n: 1 }]);
    expect(tc.collector.metrics.render()).toMatch(/^costline_orphan_calls_total 1$/m);
    expect(tc.collector.metrics.render()).toMatch(/^costline_expired_actions_total 1$/m);

    // The parents arriving after all: the root replaces the unknown action (cancel + fact), and the
    // stored call takes its outcome and surface.
    await post(tc, requests[1]?.body);
    await post(tc, requests[2]?.body);
    await tc.collector.flush();
    expect(
      await rows(
        `SELECT surface, outcome, toString(sum(cost_usd)) AS cost, sum(sign) AS n FROM ${tc.database}.actions
         GROUP BY ALL HAVING n != 0`,
      ),
    ).toEqual([{ surface: '/triage', outcome: 'success', cost: '0.0035', n: 1 }]);
    expect(
      await rows(
        `SELECT surface, action_outcome, toString(sum(cost_usd)) AS cost, sum(sign) AS n FROM ${tc.database}.llm_calls
         GROUP BY ALL HAVING n != 0`,
      ),
    ).toEqual([{ surface: '/triage', action_outcome: 'success', cost: '0.0035', n: 1 }]);
    const [agg] = await rows<Record<string, unknown>>(
      `SELECT sum(actions) AS actions, sum(successes) AS successes, sum(unknowns) AS unknowns,
              toString(sum(cost_usd)) AS cost FROM ${tc.database}.surface_minute WHERE surface = '/triage'`,
    );
    expect(agg).toEqual({ actions: 1, successes: 1, unknowns: 0, cost: '0.0035' });
  });
});
