import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOtlpSink, type OtlpSink } from './support/otlp-sink.ts';
import { startProviderStub, type ProviderStub } from './support/provider-stub.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let stub: ProviderStub;
let sink: OtlpSink;

beforeAll(async () => {
  stub = await startProviderStub();
  sink = await startOtlpSink();
});
afterAll(async () => {
  await stub.close();
  await sink.close();
});
beforeEach(() => {
  stub.reset();
  sink.exports.length = 0;
});

/** Runs a fixture app with the workspace sources (Node strips their types). */
function run(
  args: string[],
  env: Record<string, string> = {},
  onStdout?: (text: string, kill: () => void) => void,
) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@costline/source', ...args], {
      cwd: FIXTURES,
      env: {
        PATH: process.env['PATH'] ?? '',
        STUB_URL: stub.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=register-test',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout?.(stdout, () => child.kill('SIGTERM'));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const COMPLETION_ID = '"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG"';

function expectExported(service: string): void {
  expect(sink.exports.length).toBeGreaterThan(0);
  for (const e of sink.exports) {
    expect(e.path).toBe('/v1/traces');
    expect(e.contentType).toBe('application/x-protobuf');
  }
  const text = sink.text();
  expect(text).toContain('chat gpt-4o-mini');
  expect(text).toContain('action support-answer');
  expect(text).toContain('costline.surface');
  expect(text).toContain('gen_ai.usage.cache_read.input_tokens');
  expect(text).toContain('@costline/instrument');
  expect(text).toContain(service);
  expect(text).toContain('register-test');
}

describe('@costline/instrument/register', () => {
  it('instruments a CommonJS app that requires it, and flushes on exit', async () => {
    const result = await run(['cjs-app.cjs'], { OTEL_SERVICE_NAME: 'cjs-app' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(COMPLETION_ID);
    expectExported('cjs-app');
  });

  it('instruments an ESM app started with --import (openai loaded through the ESM loader)', async () => {
    const result = await run(['--import', '@costline/instrument/register', 'esm-app.mjs'], {
      OTEL_SERVICE_NAME: 'esm-app',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(COMPLETION_ID);
    expectExported('esm-app');
  });

  it('flushes on SIGTERM and still dies by the signal', async () => {
    const result = await run(
      ['--import', '@costline/instrument/register', 'esm-app.mjs'],
      { OTEL_SERVICE_NAME: 'signal-app', STAY_ALIVE: '1' },
      (stdout, kill) => {
        if (stdout.includes('ready')) kill();
      },
    );
    expect(result.signal).toBe('SIGTERM');
    expectExported('signal-app');
  });

  it('honours OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS', async () => {
    const result = await run(['cjs-app.cjs'], {
      OTEL_SERVICE_NAME: 'headers-app',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/unused',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sink.url}/custom/traces`,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-costline-token=secret-1,x-team=billing',
    });
    expect(result.code).toBe(0);
    expect(sink.exports.length).toBeGreaterThan(0);
    for (const e of sink.exports) {
      expect(e.path).toBe('/custom/traces');
      expect(e.headers['x-costline-token']).toBe('secret-1');
      expect(e.headers['x-team']).toBe('billing');
    }
    expect(sink.text()).toContain('headers-app');
  });

  it('a service with its own NodeSDK adds costlineInstrumentations() and the span processor', async () => {
    const result = await run(['own-sdk-app.mjs']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(COMPLETION_ID);
    expectExported('own-sdk-app');
  });

  it('does nothing with OTEL_SDK_DISABLED=true, and the app still works', async () => {
    const result = await run(['--import', '@costline/instrument/register', 'esm-app.mjs'], {
      OTEL_SDK_DISABLED: 'true',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(COMPLETION_ID);
    expect(stub.requests).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sink.exports).toEqual([]);
  });
});
