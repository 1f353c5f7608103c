/**
 * Runs a peer producer's app (../app/main.ts) in a child process against the provider simulator,
 * its real OTLP exporter pointed at a collector on the shared chDB store, then reads back the rows
 * the collector wrote for each scenario's trace.
 *
 * A child process because the producers patch SDK modules and register global OTel state that
 * cannot be undone between tests; each run gets a fresh process, as a real service would.
 *
 * @module
 */

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { usdToPico } from '@costline/collector';
import { createProviderSimulator } from '../../simulator/index.ts';
import { rows, startCollector } from '../../support/store.ts';
import { RESULT_PREFIX } from '../app/scenario.ts';
import type { Scenario, ScenarioResult } from '../app/scenario.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** The columns a peer test checks, as JSONEachRow returns them. */
export interface CallRow {
  trace_id: string;
  span_id: string;
  dialect: string;
  provider: string;
  request_model: string;
  response_model: string;
  operation: string;
  streaming: boolean;
  input_tokens: number;
  uncached_input_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost_usd: string;
  producer_cost_usd: string | null;
  priced: boolean;
  usage_missing: boolean;
  status: string;
  error_type: string;
  price_flags: string[];
}

export interface PeerRun {
  /** Rows per scenario id (every row of the scenario's trace). */
  calls: Map<string, CallRow[]>;
  results: Map<string, ScenarioResult>;
  stderr: string;
  logs: string[];
  leafStats: { droppedWrappers: number; lateChildren: number };
}

export async function runPeer(
  producer: string,
  scenarios: Scenario[],
  env: Record<string, string> = {},
): Promise<PeerRun> {
  const sim = createProviderSimulator({ latencyMs: 0 });
  const { url: simUrl } = await sim.start();
  const c = await startCollector({ leafWaitMs: 100 });
  try {
    const dir = await mkdtemp(join(tmpdir(), 'costline-peer-'));
    const file = join(dir, 'scenarios.json');
    writeFileSync(file, JSON.stringify(scenarios));
    const { stdout, stderr } = await runChild(producer, file, {
      SIM_URL: simUrl,
      COLLECTOR_URL: c.url,
      ...env,
    });
    const results = new Map<string, ScenarioResult>();
    for (const line of stdout.split('\n')) {
      if (!line.startsWith(RESULT_PREFIX)) continue;
      const r = JSON.parse(line.slice(RESULT_PREFIX.length)) as ScenarioResult;
      results.set(r.id, r);
    }
    if (results.size !== scenarios.length) {
      throw new Error(`peer ${producer} ran ${results.size}/${scenarios.length} scenarios:\n${stderr}`);
    }
    const leafStats = c.collector.pipeline.leafStats();
    await c.collector.stop(); // every span has arrived: the child flushed its exporter before exiting
    const all = await rows<CallRow>(
      `SELECT trace_id, span_id, dialect, provider, request_model, response_model, operation, streaming,
              input_tokens, uncached_input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,
              output_tokens, reasoning_tokens, toString(cost_usd) AS cost_usd,
              if(isNull(producer_cost_usd), NULL, toString(producer_cost_usd)) AS producer_cost_usd,
              priced, usage_missing, status, error_type, price_flags
       FROM ${c.database}.llm_calls ORDER BY ts`,
    );
    const byTrace = new Map<string, string>([...results.values()].map((r) => [r.traceId, r.id]));
    const calls = new Map<string, CallRow[]>([...results.keys()].map((id) => [id, []]));
    for (const row of all) {
      const id = byTrace.get(row.trace_id);
      if (id !== undefined) calls.get(id)?.push(row);
    }
    return { calls, results, stderr, logs: c.logs, leafStats };
  } finally {
    await sim.stop();
  }
}

function runChild(
  producer: string,
  file: string,
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@costline/source', join(here, '../app/main.ts'), producer, file],
      {
        cwd: join(here, '../..'),
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`peer ${producer} exited with ${code}:\n${stderr}`));
    });
  });
}

interface PricingCase {
  id: string;
  provider: 'openai' | 'anthropic';
  model: string;
  usage: Record<string, unknown>;
  expect: { cost_usd: number; input_tokens_total: number };
}

const CASES = new Map(
  (
    JSON.parse(readFileSync(join(here, '../../../packages/pricing/test/fixtures/pricing.json'), 'utf8')) as {
      cases: PricingCase[];
    }
  ).cases.map((c) => [c.id, c]),
);

export function pricingCase(id: string): PricingCase {
  const c = CASES.get(id);
  if (!c) throw new Error(`no pricing case ${id}`);
  return c;
}

/** A scenario replaying a pricing case's provider usage through the simulator. */
export function caseScenario(id: string, caseId: string, extra: Partial<Scenario> = {}): Scenario {
  const c = pricingCase(caseId);
  return { id, provider: c.provider, model: c.model, usage: c.usage, ...extra };
}

/** The case's expected cost in exact pico-USD, from the JSON literal (e.g. `0.01035`). */
export function casePico(caseId: string): bigint {
  return usdToPico(String(pricingCase(caseId).expect.cost_usd));
}

/** A row's cost in exact pico-USD. */
export function pico(row: CallRow): bigint {
  return usdToPico(row.cost_usd);
}

export function one(run: PeerRun, id: string): CallRow {
  const got = run.calls.get(id) ?? [];
  if (got.length !== 1) {
    throw new Error(
      `scenario ${id}: expected one llm_calls row, got ${got.length}: ${JSON.stringify(got, null, 1)}`,
    );
  }
  return got[0] as CallRow;
}
