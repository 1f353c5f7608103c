/**
 * Bounded assembly: 10,000 actions open at once stay under the configured memory bound (heap
 * measured in a child process with --expose-gc), and every call is written; actions evicted under
 * a tight bound and forgotten are still counted once, with their cost, once their span arrives.
 */

import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { DecodedSpan } from '../src/otlp/span.ts';
import { rows } from './support/chdb.ts';
import { startTestCollector } from './support/collector.ts';
import type { TestCollector } from './support/collector.ts';

const here = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

async function measure(actions: number, calls: number, bound: number) {
  const { stdout } = await run(process.execPath, [
    '--expose-gc',
    '--conditions=@costline/source',
    join(here, 'memory/open-actions.ts'),
    String(actions),
    String(calls),
    String(bound),
  ]);
  return JSON.parse(stdout) as Record<string, number>;
}

const MiB = 1024 * 1024;

describe('10,000 concurrent open actions', () => {
  it('holds them all under a 64 MiB bound, and writes every call', async () => {
    const r = await measure(10_000, 3, 64 * MiB);
    expect(r).toMatchObject({ openActions: 10_000, waitingCalls: 30_000, evicted: 0 });
    expect(r['heldHeapBytes']).toBeLessThan(64 * MiB);
    expect(r['estimatedBytes']).toBeLessThanOrEqual(64 * MiB);
    // The estimate must not undercount what the heap really holds, or the bound would not bind.
    expect(r['estimatedBytes']).toBeGreaterThan(r['heldHeapBytes'] ?? 0);
    expect(r).toMatchObject({ emittedCalls: 30_000, emittedActions: 10_000 });
  });

  it('under a 16 MiB bound, evicts the oldest as unknown, stays under it, and still writes every call', async () => {
    const r = await measure(10_000, 3, 16 * MiB);
    expect(r['evicted']).toBeGreaterThan(0);
    expect(r['heldHeapBytes']).toBeLessThan(16 * MiB);
    expect(r['estimatedBytes']).toBeLessThanOrEqual(16 * MiB);
    expect(r['emittedCalls']).toBe(30_000);
  });
});

const open: TestCollector[] = [];
afterAll(async () => {
  for (const tc of open) await tc.stop().catch(() => undefined);
});

describe('evicted and forgotten actions', () => {
  it('count once with their cost when their action span finally arrives', async () => {
    const tc = await startTestCollector({ maxOpenActions: 10, recentClosed: 5 });
    open.push(tc);
    const n = 60;
    const hex = (v: number, w: number) => v.toString(16).padStart(w, '0');
    const base = (i: number): DecodedSpan => ({
      traceId: hex(i + 1, 32),
      spanId: hex(i + 1, 16),
      parentSpanId: '',
      name: 'action ticket-triage',
      kind: 1,
      startTimeUnixNano: 1_763_900_000_000_000_000n + BigInt(i) * 1_000_000_000n,
      endTimeUnixNano: 1_763_900_000_500_000_000n + BigInt(i) * 1_000_000_000n,
      attributes: {},
      events: [],
      statusCode: 0,
      statusMessage: '',
      scopeName: '@costline/instrument',
      scopeVersion: '0.1.0',
      resource: { 'service.name': 'svc' },
    });
    const call = (i: number): DecodedSpan => ({
      ...base(i),
      spanId: hex(i + 1 + 0x100000, 16),
      parentSpanId: hex(i + 1, 16),
      name: 'chat gpt-4o-mini',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 1000,
        'gen_ai.usage.output_tokens': 100,
        'costline.action.id': hex(i + 1, 16),
        'costline.surface': 'ticket-triage',
      },
    });
    const action = (i: number): DecodedSpan => ({
      ...base(i),
      attributes: {
        'costline.span.kind': 'action',
        'costline.action.id': hex(i + 1, 16),
        'costline.surface': 'ticket-triage',
        'costline.action.outcome': 'success',
      },
    });
    for (let i = 0; i < n; i++) tc.collector.pipeline.ingest([call(i)]);
    expect(tc.collector.assembler.stats().evictedActions).toBe(n - 10);
    for (let i = 0; i < n; i++) tc.collector.pipeline.ingest([action(i)]);
    await tc.collector.flush();
    // gpt-4o-mini: 1000 in × $0.15 + 100 out × $0.60 per Mtok = $0.00021 per call
    const [a] = await rows<Record<string, unknown>>(
      `SELECT sum(sign) AS actions, sumIf(sign, outcome = 'success') AS successes,
              sumIf(sign, outcome = 'unknown') AS unknowns, sum(llm_calls) AS calls,
              toString(sum(cost_usd)) AS cost FROM ${tc.database}.actions`,
    );
    expect(a).toEqual({ actions: n, successes: n, unknowns: 0, calls: n, cost: '0.0126' });
    const [c] = await rows<Record<string, unknown>>(
      `SELECT sum(sign) AS calls, sumIf(sign, action_outcome = 'success') AS successes,
              toString(sum(cost_usd)) AS cost FROM ${tc.database}.llm_calls`,
    );
    expect(c).toEqual({ calls: n, successes: n, cost: '0.0126' });
    const [agg] = await rows<Record<string, unknown>>(
      `SELECT sum(actions) AS actions, sum(successes) AS successes, sum(unknowns) AS unknowns,
              toString(sum(cost_usd)) AS cost FROM ${tc.database}.surface_minute`,
    );
    expect(agg).toEqual({ actions: n, successes: n, unknowns: 0, cost: '0.0126' });
  });
});
