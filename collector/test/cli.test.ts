/**
 * The `costline` CLI in child processes, as users run it: `price` on stdin/stdout, and the store
 * commands against an embedded store — directly, through a running collector that holds it, and
 * with a clear error when another process holds it.
 */

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
      const viaCollector = await costline(['sql', query, '--format', 'JSONEachRow'], env);
      expect(viaCollector.code, viaCollector.stderr).toBe(0);
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
  });
});
