/**
 * How the collector prices a model-call span, through the real exporter, ingest and chDB: service
 * tiers from each producer's attribute, per-call tool fees from the calls made (stored in
 * `tool_calls`), regional uplift from the span's region, and contradictory usage flagged on the row
 * and left unpriced.
 */

import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from './support/chdb.ts';
import { startTestCollector } from './support/collector.ts';
import type { TestCollector } from './support/collector.ts';
import { captureOtlp } from './support/otlp-capture.ts';

let tc: TestCollector;
beforeAll(async () => {
  tc = await startTestCollector();
});
afterAll(async () => {
  await tc.stop();
});

interface Row {
  cost_usd: string;
  priced: boolean;
  pricing_tier: string;
  price_flags: string[];
  tool_calls: Record<string, string | number>;
  region: string;
  service_tier: string;
}

async function priceSpan(surface: string, attributes: Record<string, string | number>): Promise<Row> {
  const { requests } = await captureOtlp(
    [
      {
        name: 'chat',
        kind: SpanKind.CLIENT,
        scope: '@costline/instrument',
        attributes: { 'gen_ai.operation.name': 'chat', 'costline.surface': surface, ...attributes },
      },
    ],
    { encoding: 'protobuf' },
  );
  const res = await fetch(`${tc.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: requests[0]?.body,
  });
  expect(res.status).toBe(200);
  await tc.collector.flush();
  const [row] = await rows<Row>(
    `SELECT toString(cost_usd) AS cost_usd, priced, pricing_tier, price_flags, tool_calls, region, service_tier
     FROM ${tc.database}.llm_calls WHERE surface = '${surface}'`,
  );
  if (!row) throw new Error(`no row for ${surface}`);
  return row;
}

describe('pricing model-call spans', () => {
  it('flex from openai.response.service_tier is half price', async () => {
    const row = await priceSpan('flex', {
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'o3',
      'gen_ai.usage.input_tokens': 10000,
      'gen_ai.usage.output_tokens': 2000,
      'openai.response.service_tier': 'flex',
    });
    // (10000 × $2 + 2000 × $8) × 0.5 per million
    expect(row).toMatchObject({ cost_usd: '0.018', pricing_tier: 'flex', service_tier: 'flex' });
  });

  it('batch from the Anthropic usage service_tier is half price', async () => {
    const row = await priceSpan('batch', {
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 1000,
      'anthropic.usage.service_tier': 'batch',
    });
    expect(row).toMatchObject({ cost_usd: '0.009', pricing_tier: 'batch' });
  });

  it('tool fees from the calls made, stored in tool_calls', async () => {
    const row = await priceSpan('tools', {
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4.1',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
      'costline.tool_calls.web_search': 3,
    });
    // 1000 × $2 + 100 × $8 per million, plus 3 × $10 per thousand
    expect(row.cost_usd).toBe('0.0328');
    expect(Object.fromEntries(Object.entries(row.tool_calls).map(([k, v]) => [k, Number(v)]))).toEqual({
      web_search: 3,
    });
  });

  it('regional uplift from the span region (Claude 4.5 on a Vertex regional endpoint)', async () => {
    const row = await priceSpan('regional', {
      'gen_ai.provider.name': 'gcp.vertex_ai',
      'gen_ai.request.model': 'claude-sonnet-4-5@20250929',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
      'cloud.region': 'us-east5',
    });
    // (1000 × $3 + 100 × $15) × 1.1 per million
    expect(row).toMatchObject({ cost_usd: '0.00495', pricing_tier: 'regional', region: 'us-east5' });
  });

  it('contradictory usage is flagged on the row and not priced', async () => {
    const row = await priceSpan('contradiction', {
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.cache_read.input_tokens': 250,
      'gen_ai.usage.output_tokens': 10,
    });
    expect(row).toMatchObject({ priced: false, cost_usd: '0' });
    expect(row.price_flags).toContain('negative_bucket:input');
  });
});
