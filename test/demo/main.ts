/**
 * `pnpm demo` — the main job on the embedded default store:
 * 1. empties the default store (`COSTLINE_DATA_DIR`, default `.costline/`),
 * 2. starts the provider simulator and `costline serve` (chDB in that folder),
 * 3. runs the sample service with `node --import @costline/instrument/register`, the one import,
 * 4. stops the collector (it writes out every held call), then prints `costline report`.
 *
 * Afterwards `pnpm costline report` and `pnpm --silent costline sql "…"` read the same store.
 *
 * @module
 */

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProviderSimulator } from '../simulator/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'collector/dist/cli/main.js');
const dataDir = resolve(root, process.env['COSTLINE_DATA_DIR'] ?? '.costline');

function log(message: string): void {
  process.stderr.write(`[demo] ${message}\n`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((r) => child.once('exit', (code, signal) => r(code ?? (signal ? 1 : 0))));
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the collector exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the collector did not become ready within 60 s');
}

async function main(): Promise<number> {
  log(`emptying the default store ${dataDir}`);
  await rm(dataDir, { recursive: true, force: true });

  const simulator = createProviderSimulator({ latencyMs: 15, tokenDelayMs: 0.2, retryAfterMs: 10 });
  const { url: simUrl } = await simulator.start();
  log(`provider simulator at ${simUrl}`);

  const port = await freePort();
  const collectorUrl = `http://127.0.0.1:${port}`;
  const env = { ...process.env, COSTLINE_DATA_DIR: dataDir };
  const collector = spawn(process.execPath, [cli, 'serve', '--port', String(port)], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const collectorExit = exited(collector);
  try {
    await waitReady(collectorUrl, collector);
    log(`collector at ${collectorUrl}; running the sample service`);
    const started = Date.now();
    const app = spawn(
      process.execPath,
      ['--import', '@costline/instrument/register', join(root, 'test/demo/sample-service.ts')],
      {
        cwd: join(root, 'test'),
        env: {
          ...env,
          OTEL_SERVICE_NAME: 'demo-support-app',
          OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
          OPENAI_BASE_URL: `${simUrl}/v1`,
          ANTHROPIC_BASE_URL: simUrl,
          OPENAI_API_KEY: 'demo',
          ANTHROPIC_API_KEY: 'demo',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const appCode = await exited(app);
    if (appCode !== 0) throw new Error(`the sample service exited with code ${appCode}`);
    const stats = simulator.stats();
    log(
      `sample service done in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `provider requests ${stats.total} (${JSON.stringify(stats.byRoute)})`,
    );
  } finally {
    collector.kill('SIGTERM');
    await collectorExit;
    await simulator.stop();
  }

  const report = spawn(process.execPath, [cli, 'report'], {
    cwd: root,
    env: { ...process.env, COSTLINE_DATA_DIR: dataDir },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return exited(report);
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    log(`failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
