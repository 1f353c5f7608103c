/**
 * SIGKILL of the collector mid-load (ARCHITECTURE.md Durability): `costline serve` in a child
 * process takes steady load; it is killed without warning while calls are held in memory and rows
 * sit in the writer's batch; restarted on the same store and spool, it replays the spool, and every
 * span it had acknowledged is stored exactly once (deduplication drops what was already stored).
 */

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeOtlpLoad } from '../bench/support/otlp-batches.ts';
import { ackedSpans, exactlyOnce, STORED_SQL } from './acked-spans.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

function serve(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<unknown>;
  log: () => string;
} {
  const child = spawn(
    process.execPath,
    ['--conditions=@costline/source', join(root, 'collector/src/cli/main.ts'), 'serve'],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  // Listened for from the start: a killed child may exit before anyone awaits it.
  const exited = new Promise((r) => child.once('exit', r));
  return { child, exited, log: () => log };
}

async function ready(url: string, log: () => string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await fetch(`${url}/readyz`).catch(() => undefined))?.ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`collector not ready:\n${log()}`);
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const res = await fetch(`${url}/api/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: sql, format: 'JSONEachRow' }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(text);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

describe('collector killed mid-load', () => {
  it(
    'stores every acknowledged span exactly once after SIGKILL and restart',
    { timeout: 180_000 },
    async () => {
      const port = 30000 + Math.floor(Math.random() * 20000);
      const url = `http://127.0.0.1:${port}`;
      const env = {
        COSTLINE_DATA_DIR: mkdtempSync(join(tmpdir(), 'costline-crash-')),
        COSTLINE_PORT: String(port),
        COSTLINE_ACTION_WAIT_MS: '1000',
      };
      const first = serve(env);
      await ready(url, first.log);

      const load = makeOtlpLoad(400 * 25, 100);
      const acked: Buffer[] = [];
      let next = 0;
      let killed = false;
      const sender = async (): Promise<void> => {
        while (!killed && next < load.batches.length) {
          const body = load.batches[next++] as Buffer;
          try {
            const res = await fetch(`${url}/v1/traces`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
              body,
            });
            await res.arrayBuffer();
            if (res.ok) acked.push(body);
          } catch {
            return; // the collector is gone: this request was not acknowledged
          }
        }
      };
      let sending = 2;
      const senders = [sender(), sender()].map((p) => p.finally(() => sending--));
      while (acked.length < 40 && sending > 0) await new Promise((r) => setTimeout(r, 20));
      expect(acked.length, first.log()).toBeGreaterThanOrEqual(40);
      first.child.kill('SIGKILL');
      killed = true;
      await Promise.all(senders);
      await first.exited;

      const second = serve(env);
      try {
        await ready(url, second.log);
        expect(second.log()).toMatch(/spool: replayed \d+ requests/);
        const spans = ackedSpans(acked);
        let result: unknown;
        for (let i = 0; i < 150; i++) {
          const calls = exactlyOnce(spans.calls, await query(url, STORED_SQL('costline', 'llm_calls')));
          const actions = exactlyOnce(spans.actions, await query(url, STORED_SQL('costline', 'actions')));
          result = { calls, actions };
          if (calls.missing.length === 0 && actions.missing.length === 0) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(result).toEqual({
          calls: { missing: [], notOnce: [] },
          actions: { missing: [], notOnce: [] },
        });
        expect(spans.calls.size).toBeGreaterThanOrEqual(40 * 75);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    },
  );
});
