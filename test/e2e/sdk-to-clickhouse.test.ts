/**
 * End to end on real things: a service using the real `openai` and `@anthropic-ai/sdk` clients with
 * only `--import @costline/instrument/register`, the provider simulator, the real OTLP/HTTP exporter,
 * the collector, and ClickHouse (chDB). The right costs come from packages/pricing/test/fixtures/pricing.json (cases
 * reduced from real bug reports, priced by hand), forced onto the calls through `x-sim-usage`.
 *
 * Run twice: with the Anthropic SDK's own tracing on (its span is the model call) and off (ours is).
 * Either way every call is stored exactly once.
 */

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientRunner, surfaceReport, usdToPico } from '@costline/collector';
import { createProviderSimulator } from '../simulator/index.ts';
import type { ProviderSimulator } from '../simulator/index.ts';
import { rows, startCollector, storeClient } from '../support/store.ts';
import type { RunningCollector } from '../support/store.ts';
import type { Plan, PlannedAction } from './app/plan.ts';

const here = dirname(fileURLToPath(import.meta.url));
interface PricingCase {
  id: string;
  provider: 'openai' | 'anthropic' | 'google';
  model: string;
  usage: Record<string, unknown>;
  expect: { cost_usd: number; input_tokens_total: number };
}
const cases = new Map(
  (
    JSON.parse(readFileSync(join(here, '../../packages/pricing/test/fixtures/pricing.json'), 'utf8')) as {
      cases: PricingCase[];
    }
  ).cases.map((c) => [c.id, c]),
);
function pricingCase(id: string): PricingCase {
  const c = cases.get(id);
  if (!c) throw new Error(`no pricing case ${id}`);
  return c;
}
/** The expected cost in exact pico-USD, from the JSON literal (e.g. `0.04970025`). */
const expectedCost = (id: string): bigint => usdToPico(String(pricingCase(id).expect.cost_usd));

function caseAction(
  surface: string,
  id: string,
  outcome: PlannedAction['outcome'],
  extra: { stream?: boolean; fault?: string } = {},
): PlannedAction {
  const c = pricingCase(id);
  return {
    surface,
    customer: id,
    outcome,
    calls: [{ provider: c.provider, model: c.model, usage: c.usage, ...extra }],
  };
}

const SUPPORT_PRICED = [
  'anthropic-cache-counted-once',
  'anthropic-one-hour-cache-write',
  'long-context-tier-applies-to-cache-writes',
  'openai-cached-inside-prompt',
];
const plan: Plan = {
  actions: [
    caseAction('support-answer', 'anthropic-cache-counted-once', 'success'),
    caseAction('support-answer', 'anthropic-one-hour-cache-write', 'success', { stream: true }),
    caseAction('support-answer', 'long-context-tier-applies-to-cache-writes', 'fail'),
    caseAction('support-answer', 'openai-cached-inside-prompt', 'throw'),
    {
      surface: 'support-answer',
      customer: 'app-cache',
      outcome: 'success',
      calls: [],
      cacheHit: { model: 'claude-sonnet-4-5', provider: 'anthropic' },
    },
    caseAction('ticket-triage', 'openai-cached-second-call', 'success', { fault: '429' }),
    caseAction('ticket-triage', 'dated-mini-not-matched-to-bigger-model', 'success', { fault: '500!' }),
    caseAction('ticket-triage', 'openai-reasoning-inside-output', 'success', { stream: true }),
    // Gemini streams cumulative usageMetadata on every chunk: the last one counts, never the sum.
    caseAction('doc-summary', 'gemini-thinking-billed-as-output', 'success', { stream: true }),
  ],
};
const PRICED_IDS = [
  ...SUPPORT_PRICED,
  'openai-cached-second-call',
  'openai-reasoning-inside-output',
  'gemini-thinking-billed-as-output',
];

let simulator: ProviderSimulator;
let simUrl: string;
let planFile: string;

beforeAll(async () => {
  simulator = createProviderSimulator({ retryAfterMs: 5 });
  simUrl = (await simulator.start()).url;
  planFile = join(await mkdtemp(join(tmpdir(), 'costline-e2e-')), 'plan.json');
  writeFileSync(planFile, JSON.stringify(plan));
});
afterAll(async () => {
  await simulator.stop();
  await storeClient().close();
});

function runApp(
  collectorUrl: string,
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@costline/source',
        '--import',
        '@costline/instrument/register',
        join(here, 'app/scripted-app.ts'),
        planFile,
      ],
      {
        cwd: join(here, '..'),
        env: {
          ...process.env,
          OTEL_SERVICE_NAME: 'e2e-app',
          OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
          OPENAI_BASE_URL: `${simUrl}/v1`,
          ANTHROPIC_BASE_URL: simUrl,
          GEMINI_BASE_URL: simUrl,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

interface CallRow {
  customer: string;
  surface: string;
  provider: string;
  cost_usd: string;
  input_tokens: number;
  status: string;
  error_type: string;
  sdk_retries: number;
  action_outcome: string;
  dialect: string;
  priced: boolean;
}

describe.each<{ mode: string; env: Record<string, string>; anthropicDialect: string }>([
  { mode: 'Anthropic SDK tracing on', env: {}, anthropicDialect: 'anthropic-sdk' },
  {
    mode: 'Anthropic SDK tracing off',
    env: { ANTHROPIC_OPEN_TELEMETRY: 'false' },
    anthropicDialect: 'costline',
  },
])('SDK → exporter → collector → ClickHouse ($mode)', ({ env, anthropicDialect }) => {
  let c: RunningCollector;
  let calls: CallRow[];

  beforeAll(async () => {
    c = await startCollector();
    // A body that is not OTLP is refused with a message; what follows is still stored.
    const bad = await fetch(`${c.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: 'definitely not protobuf \u0000\u00ff\u00ff',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/OTLP/);

    const run = await runApp(c.url, env);
    expect(run.code, run.output).toBe(0);
    await c.collector.stop(); // writes out anything still held, waits for the inserts
    calls = await rows<CallRow>(
      `SELECT customer, surface, provider, toString(cost_usd) AS cost_usd, input_tokens, status, error_type,
              sdk_retries, action_outcome, dialect, priced
       FROM ${c.database}.llm_calls ORDER BY customer`,
    );
  });

  it('stores every priced call once, at the exact cost of its pricing case', () => {
    for (const id of PRICED_IDS) {
      const stored = calls.filter((r) => r.customer === id);
      expect(stored, id).toHaveLength(1);
      const row = stored[0];
      expect(usdToPico(row?.cost_usd ?? ''), `${id}: ${row?.cost_usd}`).toBe(expectedCost(id));
      expect(row?.input_tokens, id).toBe(pricingCase(id).expect.input_tokens_total);
      expect(row?.priced, id).toBe(true);
      expect(row?.dialect, id).toBe(row?.provider === 'anthropic' ? anthropicDialect : 'costline');
    }
  });

  it('records the SDK retry after a 429 on the call, and a call that kept failing at no cost', () => {
    expect(calls.find((r) => r.customer === 'openai-cached-second-call')?.sdk_retries).toBe(1);
    const failed = calls.filter((r) => r.customer === 'dated-mini-not-matched-to-bigger-model');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ status: 'error', cost_usd: '0', action_outcome: 'failure' });
    expect(failed[0]?.error_type).not.toBe('');
  });

  it('writes one action row per action with its outcome and cost', async () => {
    const actions = await rows<{
      customer: string;
      outcome: string;
      cost_usd: string;
      app_cache_hit: boolean;
    }>(
      `SELECT customer, outcome, toString(cost_usd) AS cost_usd, app_cache_hit FROM ${c.database}.actions
       WHERE surface = 'support-answer' ORDER BY customer`,
    );
    expect(actions.map((a) => [a.customer, a.outcome, a.app_cache_hit])).toEqual([
      ['anthropic-cache-counted-once', 'success', false],
      ['anthropic-one-hour-cache-write', 'success', false],
      ['app-cache', 'success', true],
      ['long-context-tier-applies-to-cache-writes', 'failure', false],
      ['openai-cached-inside-prompt', 'failure', false],
    ]);
    for (const a of actions.filter((x) => x.customer !== 'app-cache')) {
      expect(usdToPico(a.cost_usd), a.customer).toBe(expectedCost(a.customer));
    }
  });

  it("reports support-answer's cost per successful action as the hand computation", async () => {
    const [report] = await surfaceReport(clientRunner(storeClient()), {
      database: c.database,
      since: new Date(Date.now() - 3_600_000),
      surface: 'support-answer',
    });
    // All money on the surface, failed actions included, over its successful actions (3 of 5).
    const total = SUPPORT_PRICED.reduce((sum, id) => sum + expectedCost(id), 0n);
    const failed =
      expectedCost('long-context-tier-applies-to-cache-writes') + expectedCost('openai-cached-inside-prompt');
    // ÷ 3, rounded half-even at the 12th decimal (pico-USD) — by hand, not by the collector's helper.
    const q = total / 3n;
    const r = total % 3n;
    const perSuccess = 2n * r > 3n || (2n * r === 3n && q % 2n === 1n) ? q + 1n : q;
    expect(report).toMatchObject({ surface: 'support-answer', actions: 5, successes: 3, failures: 2 });
    expect(usdToPico(report?.totalCostUsd ?? '')).toBe(total);
    expect(usdToPico(report?.failedActionCostUsd ?? '')).toBe(failed);
    expect(usdToPico(report?.costPerSuccessUsd ?? '')).toBe(perSuccess);
    expect(report?.appCacheHitRate).toBe(1 / 5);
  });
});
