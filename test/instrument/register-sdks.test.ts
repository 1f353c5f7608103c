/**
 * One import in a real service process, for every SDK: a CommonJS app that requires
 * `@costline/instrument/register` and an ESM app started with `--import` each make one call through
 * openai (Responses, embeddings), @anthropic-ai/sdk, @google/genai and Bedrock against the simulator,
 * and the real OTLP/HTTP exporter delivers a span for each, stamped with the action, to a local
 * receiver, under OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
 */

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviderSimulator } from '../simulator/index.ts';
import type { ProviderSimulator } from '../simulator/index.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
let sim: ProviderSimulator;
let sinkUrl: string;
let bodies: Buffer[] = [];
let closeSink: () => Promise<void>;

beforeAll(async () => {
  sim = createProviderSimulator();
  await sim.start();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sinkUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closeSink = () => new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await sim.stop();
  await closeSink();
});
beforeEach(() => {
  bodies = [];
  sim.reset();
});

function run(
  args: string[],
  service: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@costline/source', ...args], {
      cwd: FIXTURES,
      env: {
        PATH: process.env['PATH'] ?? '',
        SIM_URL: sim.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
        OTEL_SERVICE_NAME: service,
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=sdks-test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectEverySdk(service: string): void {
  const text = Buffer.concat(bodies).toString('latin1');
  for (const name of [
    'chat gpt-4o-mini',
    'embeddings text-embedding-3-small',
    'chat claude-haiku-4-5',
    'generate_content gemini-2.0-flash',
    'chat amazon.nova-lite-v1:0',
    'action multi-sdk',
  ]) {
    expect(text).toContain(name);
  }
  for (const provider of ['openai', 'anthropic', 'gcp.gemini', 'aws.bedrock'])
    expect(text).toContain(provider);
  expect(text).toContain(service);
  expect(text).toContain('sdks-test');
  expect(sim.stats().total).toBe(5);
}

describe('register with every SDK, in child processes', () => {
  it('CommonJS: require("@costline/instrument/register")', async () => {
    const result = await run(['sdks-app.cjs'], 'sdks-cjs');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('done');
    expectEverySdk('sdks-cjs');
  });

  it('ESM: node --import @costline/instrument/register', async () => {
    const result = await run(['--import', '@costline/instrument/register', 'sdks-app.mjs'], 'sdks-esm');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('done');
    expectEverySdk('sdks-esm');
  });
});
