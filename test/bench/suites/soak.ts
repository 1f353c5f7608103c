/**
 * Sustained load with many open actions: `costline serve` in a child process receives a steady
 * stream of model calls whose action spans arrive only after 10,000 later actions have started, so
 * ~10,000 actions are held open in the assembler all along. The child's RSS is sampled from /proc:
 * peak and final, and final ÷ the RSS after the first minute (flat and bounded: close to 1).
 * Default 60 s; `--full` 10 minutes.
 *
 * @module
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { SERVE_NODE_FLAGS } from '@costline/collector';
import type { Metric, Suite } from '../metric.ts';
import { makeSplitTraces, serialise } from '../support/otlp-batches.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const OPEN_ACTIONS = 10_000;
/** Traces a second: 4 spans each, a steady rate well below the collector's limit. */
const RATE = 500;

const suite: Suite = {
  name: 'soak',
  async run({ full, log }) {
    const seconds = full ? 600 : 60;
    const dataDir = mkdtempSync(join(tmpdir(), 'costline-bench-soak-'));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(
      process.execPath,
      [...SERVE_NODE_FLAGS, join(root, 'collector/dist/cli/main.js'), 'serve'],
      {
        env: {
          ...process.env,
          COSTLINE_DATA_DIR: dataDir,
          COSTLINE_PORT: String(port),
          // Room for the 10,000 held open plus the calls of the second in flight: at the default
          // bound of exactly 10,000 every second's newest calls would evict 500 of the oldest, and the
          // run would measure evictions and late-outcome corrections instead of open actions held.
          COSTLINE_MAX_OPEN_ACTIONS: String(OPEN_ACTIONS + 2 * RATE),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const url = `http://127.0.0.1:${port}`;
    const rss = (): number => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return Number(m?.[1] ?? 0) * 1024;
    };
    try {
      for (let i = 0; !(await fetch(`${url}/readyz`).catch(() => undefined))?.ok; i++) {
        if (i > 300) throw new Error(`collector did not start:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const delayed: ReadableSpan[] = [];
      const post = async (spans: ReadableSpan[]): Promise<void> => {
        for (const body of serialise(spans).batches) {
          const res = await fetch(`${url}/v1/traces`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
            body,
          });
          await res.arrayBuffer();
          if (!res.ok) throw new Error(`collector answered ${res.status}`);
        }
      };
      const started = Date.now();
      let peak = 0;
      let afterWarmup = 0;
      let sentTraces = 0;
      while (Date.now() - started < seconds * 1000) {
        const tick = Date.now();
        const { calls, actions } = makeSplitTraces(RATE);
        delayed.push(...actions);
        const due = delayed.length > OPEN_ACTIONS ? delayed.splice(0, delayed.length - OPEN_ACTIONS) : [];
        await post([...calls, ...due]);
        sentTraces += RATE;
        const now = rss();
        peak = Math.max(peak, now);
        // The reference is taken at half time: the collector's memories are bounded by count (the
        // 1,000,000-span seen window, 200,000 released action ids, 20,000 closed actions) and fill at
        // this rate over the first minutes — the 10-minute run's RSS rose until ~260 s, then stayed
        // within ±3% — so growth after the first minute says when they fill, not whether memory is flat.
        if (!afterWarmup && Date.now() - started >= seconds * 500) afterWarmup = now;
        if ((sentTraces / RATE) % 10 === 0) {
          log(
            `${Math.round((Date.now() - started) / 1000)} s: ${sentTraces} traces, rss ${(now / 2 ** 20).toFixed(0)} MiB`,
          );
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - tick))));
      }
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const open = Number(/^costline_open_actions (\d+)/m.exec(metrics)?.[1] ?? NaN);
      const final = rss();
      log(`open actions at the end: ${open}`);
      return [
        {
          name: 'soak.rss_peak_mib',
          value: peak / 2 ** 20,
          unit: 'MiB',
          note: `${seconds} s, ~${OPEN_ACTIONS} open actions`,
        },
        { name: 'soak.rss_final_mib', value: final / 2 ** 20, unit: 'MiB' },
        {
          name: 'soak.rss_growth.ratio',
          value: final / afterWarmup,
          unit: 'ratio',
          note: 'final ÷ at half time (flat ≈ 1)',
        },
        { name: 'soak.open_actions', value: open, unit: 'actions', note: 'held by the assembler at the end' },
      ] satisfies Metric[];
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  },
};
export default suite;
