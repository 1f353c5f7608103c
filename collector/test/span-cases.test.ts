/**
 * The span cases of the shared pricing cases (fixtures/pricing.json `span_cases`), through the real
 * exporter, the ingest path and chDB: a rate-limited call costs nothing but counts as a failed call;
 * an agent span repeating its children's usage is not priced again; an app-cache hit costs nothing
 * and records the avoided cost (from tokens the app passes, else the surface's average), estimated.
 */

import { readFileSync } from 'node:fs';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientRunner } from '../src/report/query-runner.ts';
import { surfaceReport } from '../src/report/surface-report.ts';
import { rows, testClient } from './support/chdb.ts';
import { startTestCollector } from './support/collector.ts';
import type { TestCollector } from './support/collector.ts';
import { captureOtlp } from './support/otlp-capture.ts';
import type { SpanSpec } from './support/otlp-capture.ts';

const SPAN_CASES = (
  JSON.parse(
    readFileSync(new URL('../../packages/pricing/test/fixtures/pricing.json', import.meta.url), 'utf8'),
  ) as {
    span_cases: { id: string }[];
  }
).span_cases.map((c) => c.id);

const chat = (surface: string, extra: Record<string, string | number> = {}): SpanSpec => ({
  name: 'chat gpt-4o',
  kind: SpanKind.CLIENT,
  scope: '@costline/instrument',
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 1000,
    'gen_ai.usage.output_tokens': 100,
    'costline.surface': surface,
    ...extra,
  },
});

let tc: TestCollector;
beforeAll(async () => {
  tc = await startTestCollector();
});
afterAll(async () => {
  await tc.stop();
});

async function ingest(specs: SpanSpec[]): Promise<void> {
  const { requests } = await captureOtlp(specs, { encoding: 'protobuf' });
  for (const r of requests) {
    const res = await fetch(`${tc.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: r.body,
    });
    expect(res.status).toBe(200);
  }
  await tc.collector.flush();
}

interface CallRow {
  surface: string;
  operation: string;
  status: string;
  priced: boolean;
  cost_usd: string;
  avoided_cost_usd: string;
  price_estimated: boolean;
  price_flags: string[];
}

async function calls(surface: string): Promise<CallRow[]> {
  return rows<CallRow>(
    `SELECT surface, operation, status, priced, toString(cost_usd) AS cost_usd, toString(avoided_cost_usd) AS avoided_cost_usd,
            price_estimated, price_flags
     FROM ${tc.database}.llm_calls WHERE surface = '${surface}' ORDER BY ts, span_id`,
  );
}

describe('span cases', () => {
  it('covers every span case of the fixture', () => {
    expect(SPAN_CASES).toEqual([
      'rate-limited-call-costs-nothing',
      'agent-span-repeating-children-usage',
      'app-cache-hit-costs-nothing',
    ]);
  });

  it('rate-limited-call-costs-nothing: $0, priced, counted as a failed call', async () => {
    await ingest([
      {
        name: 'chat gpt-4o',
        kind: SpanKind.CLIENT,
        scope: '@costline/instrument',
        status: { code: SpanStatusCode.ERROR, message: '429 Too Many Requests' },
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'error.type': '429',
          'costline.surface': 'rate-limited',
        },
      },
    ]);
    expect(await calls('rate-limited')).toEqual([
      expect.objectContaining({ status: 'error', priced: true, cost_usd: '0' }),
    ]);
    const [r] = await surfaceReport(clientRunner(testClient()), {
      database: tc.database,
      since: new Date('2026-01-01'),
      surface: 'rate-limited',
    });
    expect(r).toMatchObject({ failedCalls: 1, totalCostUsd: '0.000000000000', unpricedCalls: 0 });
  });

  it('agent-span-repeating-children-usage: only the leaf model call carries cost', async () => {
    await ingest([
      {
        name: 'invoke_agent support-bot',
        scope: 'some-agent-framework',
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 1000,
          'gen_ai.usage.output_tokens': 100,
          'costline.surface': 'agent',
        },
        children: [chat('agent')],
      },
    ]);
    // 1000 × $2.50 + 100 × $10 per million = $0.0035, once.
    const stored = await calls('agent');
    expect(stored.map((c) => [c.operation, c.cost_usd])).toEqual([['chat', '0.0035']]);
  });

  it('app-cache-hit-costs-nothing: $0 and the avoided cost, from the surface average or the tokens passed', async () => {
    const hit = (extra: Record<string, number> = {}): SpanSpec => ({
      name: 'app_cache hit',
      scope: '@costline/instrument',
      attributes: {
        'costline.span.kind': 'app_cache',
        'costline.app_cache.hit': true,
        'costline.app_cache.avoided_model': 'gpt-4o',
        'costline.app_cache.avoided_provider': 'openai',
        'costline.surface': 'cached',
        ...extra,
      },
    });
    await ingest([chat('cached'), chat('cached', { 'gen_ai.usage.output_tokens': 300 })]);
    await ingest([
      hit(),
      hit({ 'costline.app_cache.avoided_input_tokens': 2000, 'costline.app_cache.avoided_output_tokens': 0 }),
    ]);
    const stored = await calls('cached');
    const hits = stored
      .filter((c) => c.operation === 'app_cache')
      .sort((a, b) => String(b.price_flags[0]).localeCompare(String(a.price_flags[0])));
    // Average of $0.0035 and $0.0055 (300 output tokens) is $0.0045; 2000 × $2.50 per million is $0.005.
    expect(hits.map((h) => [h.cost_usd, h.avoided_cost_usd, h.price_estimated, h.price_flags])).toEqual([
      ['0', '0.0045', true, ['avoided_cost:surface_average']],
      ['0', '0.005', true, ['avoided_cost:from_tokens']],
    ]);
  });

  it('an unknown model is stored priced = false, counted in /metrics, never a silent $0', async () => {
    await ingest([chat('unknown-model', { 'gen_ai.request.model': 'gpt-9-ultra' })]);
    expect(await calls('unknown-model')).toEqual([expect.objectContaining({ priced: false, cost_usd: '0' })]);
    const metrics = await (await fetch(`${tc.url}/metrics`)).text();
    expect(metrics).toContain('costline_model_calls_unpriced_total{model="gpt-9-ultra",provider="openai"} 1');
  });
});
