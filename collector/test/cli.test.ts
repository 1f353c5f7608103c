/**
 * The `costline` CLI in child processes, as users run it: `price` on stdin/stdout, and the store
 * commands against an embedded store — directly, through a running collector that holds it, and
 * with a clear error when another process holds it.
 */

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { captureOtlp } from './support/otlp-capture.ts';

const here = dirname(fileURLToPath(import.meta.url));
const main = join(here, '../src/cli/main.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function costline(args: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@costline/source', main, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function startServe(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--conditions=@costline/source', main, 'serve'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = `http://127.0.0.1:${env['COSTLINE_PORT']}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { child, url };
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('serve did not become ready');
}

const pricingCases = JSON.parse(
  readFileSync(join(here, '../../packages/pricing/test/fixtures/pricing.json'), 'utf8'),
) as {
  cases: {
    id: string;
    provider: string;
    model: string;
    time: string;
    usage: unknown;
    expect: { cost_usd: number };
  }[];
};

describe('costline price', () => {
  it('prices one object, and an array in the same order', async () => {
    const [a, b] = pricingCases.cases;
    const input = (c: typeof a) => ({
      provider: c?.provider,
      model: c?.model,
      time: c?.time,
      usage: c?.usage,
    });
    const one = await costline(['price'], {}, JSON.stringify(input(a)));
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ cost_usd: String(a?.expect.cost_usd), priced: true });
    const many = await costline(['price'], {}, JSON.stringify([input(b), input(a)]));
    expect(many.code, many.stderr).toBe(0);
    expect((JSON.parse(many.stdout) as { cost_usd: string }[]).map((o) => o.cost_usd)).toEqual([
      String(b?.expect.cost_usd),
      String(a?.expect.cost_usd),
    ]);
  });

  it('exits 2 with a message naming the field for bad input', async () => {
    const noModel = await costline(
      ['price'],
      {},
      JSON.stringify({ provider: 'openai', time: '2026-11-15T12:00:00Z', usage: {} }),
    );
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/model/);
    const notJson = await costline(['price'], {}, '{oops');
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/not JSON/);
    // A misspelt optional field is refused, not priced as if absent (here: at the standard tier).
    const USAGE = { prompt_tokens: 1000, completion_tokens: 500 };
    const misspelt = await costline(
      ['price'],
      {},
      JSON.stringify([
        { provider: 'openai', model: 'gpt-4o-mini', time: '2026-11-15T12:00:00Z', usage: USAGE },
        {
          provider: 'openai',
          model: 'gpt-4o-mini',
          time: '2026-11-15T12:00:00Z',
          usage: USAGE,
          service_teir: 'flex',
        },
      ]),
    );
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toMatch(
      /^\[1\]\.service_teir: not a field of a price request \(provider, model,/,
    );
  });
});

describe('costline store commands on the embedded store', () => {
  it('query through a running collector that holds the store, then directly once it stopped', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'costline-cli-'));
    const env = { COSTLINE_DATA_DIR: dataDir, COSTLINE_PORT: String(await freePort()) };
    const { child, url } = await startServe(env);
    try {
      const { requests } = await captureOtlp(
        [
          {
            name: 'chat gpt-4o-mini',
            kind: SpanKind.CLIENT,
            scope: '@costline/instrument',
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': 'openai',
              'gen_ai.request.model': 'gpt-4o-mini',
              'gen_ai.usage.input_tokens': 1000,
              'gen_ai.usage.output_tokens': 500,
              'costline.surface': 'ticket-triage',
            },
          },
        ],
        { encoding: 'protobuf' },
      );
      const posted = await fetch(`${url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: requests[0]?.body,
      });
      expect(posted.status).toBe(200);

      const query = "SELECT surface, cost_usd FROM costline.llm_calls WHERE surface = 'ticket-triage'";
      // The collector inserts with its next flush (at most a second away): wait until it has.
      for (let tries = 0; ; tries++) {
        const res = await fetch(`${url}/api/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, format: 'JSONEachRow' }),
        });
        if ((await res.text()).trim() !== '') break;
        if (tries > 100) throw new Error('the posted call was not stored within 10 s');
        await new Promise((r) => setTimeout(r, 100));
      }
      const viaCollector = await costline(['sql', query, '--format', 'JSONEachRow'], env);
      expect(viaCollector.code, viaCollector.stderr).toBe(0);
      // The query's own FORMAT, in any case, through the collector too (its /api/query takes a list).
      const ownViaCollector = await costline(['sql', 'SELECT 7 AS n format csv;'], env);
      expect(ownViaCollector.code, ownViaCollector.stderr).toBe(0);
      expect(ownViaCollector.stdout.trim()).toBe('7');
      // Decimals as strings: gpt-4o-mini 1000 × $0.15 + 500 × $0.60 per Mtok.
      expect(viaCollector.stdout.trim()).toBe('{"surface":"ticket-triage","cost_usd":"0.00045"}');
      // captureOtlp dates its spans 2026-11-15 (the pricing cases' time).
      const report = await costline(['report', '--json', '--since', '2026-11-01'], env);
      expect(report.code, report.stderr).toBe(0);
      expect(JSON.parse(report.stdout)).toMatchObject({
        surfaces: [{ surface: 'ticket-triage', totalCostUsd: '0.000450000000', costPerSuccessUsd: null }],
      });

      // Another port: no collector there holds this store, and chDB allows one process per folder.
      const blocked = await costline(['sql', 'SELECT 1'], {
        ...env,
        COSTLINE_PORT: String(await freePort()),
      });
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toMatch(/held by another process/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(child.exitCode).toBe(0);
    const direct = await costline(
      ['sql', 'SELECT count() AS n FROM costline.llm_calls', '--format', 'CSV'],
      env,
    );
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stdout.trim()).toBe('1');
    // The query's own FORMAT clause is honoured (the store appends the format it is asked for:
    // passed on, it was a syntax error), and may not contradict --format.
    const own = await costline(['sql', 'SELECT count() AS n FROM costline.llm_calls format csv;'], env);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout.trim()).toBe('1');
    const both = await costline(['sql', 'SELECT 1 FORMAT CSV', '--format', 'JSONEachRow'], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/ends in FORMAT CSV and --format asks for JSONEachRow/);
  });
});

describe('costline import and serve on SIGTERM', () => {
  it('imports OTLP JSON lines with a summary, again through a running collector, which writes out what it holds on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'costline-import-'));
    const env = { COSTLINE_DATA_DIR: dataDir, COSTLINE_PORT: String(await freePort()) };
    const chat = (input: number, extra: Record<string, string> = {}) => ({
      name: 'chat gpt-4o-mini',
      kind: SpanKind.CLIENT,
      scope: '@costline/instrument',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': input,
        'gen_ai.usage.output_tokens': 500,
        'costline.surface': 'ticket-triage',
        ...extra,
      },
    });
    const action = {
      name: 'action ticket-triage',
      scope: '@costline/instrument',
      attributes: {
        'costline.span.kind': 'action',
        'costline.action.id': '00000000000000c1',
        'costline.surface': 'ticket-triage',
        'costline.action.outcome': 'success',
      },
      children: [
        chat(1000, { 'costline.action.id': '00000000000000c1' }),
        chat(2000, { 'costline.action.id': '00000000000000c1' }),
      ],
    };
    const { requests } = await captureOtlp([action], { encoding: 'json' });
    const partlyBad = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: 'zz', spanId: '0102030405060708', name: 'bad' },
                {
                  traceId: '0af7651916cd43dd8448eb211c80319d',
                  spanId: '0102030405060708',
                  name: 'ok',
                  startTimeUnixNano: '1763900010001000000',
                  endTimeUnixNano: '1763900010101000000',
                },
              ],
            },
          ],
        },
      ],
    });
    const file = join(dataDir, 'traces.jsonl');
    writeFileSync(
      file,
      [...requests.map((r) => r.body.toString('utf8')), partlyBad, '{not json', ''].join('\n'),
    );

    const direct = await costline(['import', file], env);
    expect(direct.code).toBe(1); // something was rejected
    expect(direct.stdout).toMatch(/^read 5 requests from 1 file\n/);
    expect(direct.stdout).toMatch(/spans read {10}5\n/);
    expect(direct.stdout).toMatch(/model calls priced {2}2\n/);
    expect(direct.stdout).toMatch(/rejected {12}2\n/);
    expect(direct.stdout).toMatch(/1 × invalid traceId/);
    expect(direct.stdout).toMatch(/1 × line not imported: /);
    const stored = await costline(
      [
        'sql',
        'SELECT action_outcome, toString(sum(cost_usd)) AS cost FROM costline.llm_calls GROUP BY ALL',
        '--format',
        'JSONEachRow',
      ],
      env,
    );
    // gpt-4o-mini: 3000 × $0.15 + 1000 × $0.60 per Mtok
    expect(stored.stdout.trim()).toBe('{"action_outcome":"success","cost":"0.00105"}');

    const { child, url } = await startServe(env);
    try {
      const again = await costline(['import', file], env);
      expect(again.stdout).toMatch(/through the running collector/);
      expect(again.stdout).toMatch(/already stored {6}3\n/);
      expect(again.stdout).toMatch(/model calls priced {2}0\n/);
      // A call whose action span is still to come: held in memory by the collector.
      const held = await captureOtlp([chat(4000, { 'costline.action.id': '00000000000000c2' })], {
        encoding: 'protobuf',
      });
      const res = await fetch(`${url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: held.requests[0]?.body,
      });
      expect(res.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(child.exitCode).toBe(0);
    const after = await costline(
      [
        'sql',
        "SELECT action_outcome, sum(sign) AS n FROM costline.llm_calls WHERE action_id = '00000000000000c2' GROUP BY ALL",
        '--format',
        'JSONEachRow',
      ],
      env,
    );
    expect(after.stdout.trim()).toBe('{"action_outcome":"unknown","n":1}');
  });
});
