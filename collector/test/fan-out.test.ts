/**
 * cases/ingest-and-streams.md #7: 163 evaluation items all point at one trace that cost $1.463. A
 * total that joins items or calls to actions before summing shows far more; every total here —
 * the report, the raw tables, the aggregates — sums each table on its own and shows $1.463.
 */

import { SpanKind } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { clientRunner } from '../src/report/query-runner.ts';
import { surfaceReport } from '../src/report/surface-report.ts';
import { rows, testClient } from './support/chdb.ts';
import { startTestCollector } from './support/collector.ts';
import type { TestCollector } from './support/collector.ts';
import { captureOtlp } from './support/otlp-capture.ts';
import type { SpanSpec } from './support/otlp-capture.ts';

const open: TestCollector[] = [];
afterAll(async () => {
  for (const tc of open) await tc.stop().catch(() => undefined);
});

const ACTION = '00000000000000d1';
const stamped = { 'costline.action.id': ACTION, 'costline.surface': 'support-answer' };
const items: SpanSpec[] = Array.from({ length: 163 }, (_, i) => ({
  name: `eval item ${i}`,
  scope: 'eval-harness',
  attributes: { ...stamped, 'eval.item': i },
}));

describe('sum over distinct actions — cases #7', () => {
  it('shows $1.463 for one action however many spans point at its trace', async () => {
    const tc = await startTestCollector();
    open.push(tc);
    const { requests } = await captureOtlp(
      [
        {
          name: 'action support-answer',
          scope: '@costline/instrument',
          attributes: { ...stamped, 'costline.span.kind': 'action', 'costline.action.outcome': 'success' },
          children: [
            {
              name: 'chat gpt-4o',
              kind: SpanKind.CLIENT,
              scope: '@costline/instrument',
              attributes: {
                ...stamped,
                'gen_ai.operation.name': 'chat',
                'gen_ai.provider.name': 'openai',
                'gen_ai.request.model': 'gpt-4o',
                // 185,200 × $2.50 + 100,000 × $10 per Mtok = $0.463 + $1.000
                'gen_ai.usage.input_tokens': 185_200,
                'gen_ai.usage.output_tokens': 100_000,
              },
            },
            ...items,
          ],
        },
      ],
      { encoding: 'protobuf', processor: 'batch' },
    );
    for (const r of requests) {
      const res = await fetch(`${tc.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: r.body,
      });
      expect(res.status).toBe(200);
    }
    await tc.collector.flush();
    const report = await surfaceReport(clientRunner(testClient(), { closeClient: false, server: false }), {
      database: tc.database,
      since: new Date('2026-11-01T00:00:00Z'),
    });
    expect(report).toEqual([
      expect.objectContaining({
        surface: 'support-answer',
        actions: 1,
        successes: 1,
        totalCostUsd: '1.463000000000',
        costPerSuccessUsd: '1.463000000000',
      }),
    ]);
    expect(
      await rows(
        `SELECT (SELECT toString(sum(cost_usd)) FROM ${tc.database}.llm_calls) AS calls,
                (SELECT toString(sum(cost_usd)) FROM ${tc.database}.actions) AS actions,
                (SELECT toString(sum(cost_usd)) FROM ${tc.database}.surface_minute) AS surface_minute,
                (SELECT toString(sum(cost_usd)) FROM ${tc.database}.model_minute) AS model_minute,
                (SELECT toString(sum(cost_usd) / sum(successes)) FROM ${tc.database}.surface_minute) AS per_success`,
      ),
    ).toEqual([
      {
        calls: '1.463',
        actions: '1.463',
        surface_minute: '1.463',
        model_minute: '1.463',
        per_success: '1.463',
      },
    ]);
  });
});
