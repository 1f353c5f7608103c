/**
 * The pricing commands in child processes: every shared pricing case through `costline price` (exact
 * to the 12th decimal), a price book from `--price-book`, a bad book (exit 2, line and field),
 * `prices import-litellm`, and `reprice` + `report` on an embedded store.
 */

import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { usdToPico } from '../src/store/money.ts';
import { captureOtlp } from './support/otlp-capture.ts';
import type { SpanSpec } from './support/otlp-capture.ts';
import { freePort, runCostline, startServe } from './support/run-cli.ts';

const fixtures = new URL('../../packages/pricing/test/fixtures/', import.meta.url);
const CASES = (
  JSON.parse(readFileSync(new URL('pricing.json', fixtures), 'utf8')) as {
    cases: {
      id: string;
      provider: string;
      model: string;
      time: string;
      usage: unknown;
      service_tier?: string;
      tool_calls?: Record<string, number>;
      expect: { cost_usd: number; input_tokens_total: number };
    }[];
  }
).cases;

const BOOK = `version: cli-test
models:
  - provider: self-hosted
    model: llama-3.3-70b
    gpu_hour: { usd_per_gpu_hour: 2.5, gpus: 4, tokens_per_hour: 10000000 }
  - provider: openai
    model: gpt-4o-2024-08-06
    effective_from: 2026-11-01
    input_mtok: 2
    output_mtok: 8
`;

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'costline-pricing-cli-'));
}

describe('costline price', () => {
  it('prices every shared pricing case exactly, as one array in order', async () => {
    const input = CASES.map((c) => ({
      provider: c.provider,
      model: c.model,
      time: c.time,
      usage: c.usage,
      service_tier: c.service_tier,
      tool_calls: c.tool_calls,
    }));
    const run = await runCostline(['price'], {}, JSON.stringify(input));
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { cost_usd: string; input_tokens_total: number; priced: boolean }[];
    expect(out).toHaveLength(CASES.length);
    for (const [i, c] of CASES.entries()) {
      expect(out[i]?.priced, c.id).toBe(true);
      expect(usdToPico(out[i]?.cost_usd ?? ''), c.id).toBe(usdToPico(String(c.expect.cost_usd)));
      expect(out[i]?.input_tokens_total, c.id).toBe(c.expect.input_tokens_total);
    }
  });

  it('uses the price book named by --price-book or COSTLINE_PRICE_BOOK', async () => {
    const dir = await tempDir();
    const book = join(dir, 'book.yaml');
    await writeFile(book, BOOK);
    const input = JSON.stringify({
      provider: 'self-hosted',
      model: 'llama-3.3-70b',
      time: '2026-11-15T12:00:00Z',
      usage: { input_tokens: 1200, output_tokens: 300 },
    });
    for (const [args, env] of [
      [['price', '--price-book', book], {}],
      [['price'], { COSTLINE_PRICE_BOOK: book }],
    ] as const) {
      const run = await runCostline([...args], env, input);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({
        cost_usd: '0.0015',
        estimated: true,
        source: 'price-book',
        source_version: 'cli-test',
      });
    }
  });

  it('exits 2 naming the line and field of a bad price book', async () => {
    const dir = await tempDir();
    const book = join(dir, 'bad.yaml');
    await writeFile(book, 'models:\n  - provider: p\n    model: m\n    output_mtok: twelve\n');
    const run = await runCostline(['price', '--price-book', book], {}, '{}');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `price book ${book} line 4, models[0].output_mtok: must be a non-negative decimal`,
    );
  });
});

describe('costline prices import-litellm', () => {
  it('writes a price book that costline price accepts', async () => {
    const dir = await tempDir();
    const out = join(dir, 'litellm.yaml');
    const run = await runCostline([
      'prices',
      'import-litellm',
      new URL('litellm-excerpt.json', fixtures).pathname,
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/imported 9 models, skipped 3/);

    // A model left out for a bad price is named even behind 25 models without a per-token price.
    const noisy: Record<string, unknown> = {};
    for (let i = 0; i < 25; i++)
      noisy[`image-${i}`] = { litellm_provider: 'openai', output_cost_per_image: 0.04 };
    noisy['gpt-bad'] = {
      litellm_provider: 'openai',
      input_cost_per_token: -1e-6,
      output_cost_per_token: 1e-6,
    };
    const file = join(dir, 'noisy.json');
    await writeFile(file, JSON.stringify(noisy));
    const skips = await runCostline(['prices', 'import-litellm', file, '--out', join(dir, 'noisy.yaml')]);
    expect(skips.code, skips.stderr).toBe(0);
    expect(skips.stderr).toMatch(
      /skipped 26\n {2}skipped gpt-bad: input_cost_per_token is -0.000001, not a price\n/,
    );
    expect(skips.stderr).toMatch(/… and 5 more/);
    const priced = await runCostline(
      ['price', '--price-book', out],
      {},
      JSON.stringify({
        provider: 'groq',
        model: 'llama-3.3-70b-versatile',
        time: '2026-11-15T12:00:00Z',
        usage: { prompt_tokens: 1000, completion_tokens: 1000 },
      }),
    );
    expect(priced.code, priced.stderr).toBe(0);
    // 1000 × $0.59 + 1000 × $0.79 per million
    expect(JSON.parse(priced.stdout)).toMatchObject({ cost_usd: '0.00138', source: 'price-book' });
  });

  it('exits 2 with usage for a missing file argument', async () => {
    const run = await runCostline(['prices', 'import-litellm']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/usage: costline prices import-litellm FILE/);
  });
});

const call = (model: string, n: number): SpanSpec => ({
  name: `chat ${model}`,
  kind: SpanKind.CLIENT,
  scope: '@costline/instrument',
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': model,
    'gen_ai.response.model': model === 'gpt-4o' ? 'gpt-4o-2024-08-06' : model,
    'gen_ai.usage.input_tokens': 10000 + n,
    'gen_ai.usage.output_tokens': 1000,
    'costline.surface': 'support-answer',
  },
});

describe('costline reprice on an embedded store', () => {
  it('re-prices after an earlier-dated book entry; the report follows; a repeat changes nothing', async () => {
    const dir = await tempDir();
    const env = { COSTLINE_DATA_DIR: join(dir, 'store'), COSTLINE_PORT: '1' };
    const { requests } = await captureOtlp([call('gpt-4o', 0), call('gpt-4o', 1), call('acme-llm-7b', 2)], {
      encoding: 'json',
    });
    const lines = join(dir, 'spans.jsonl');
    await writeFile(lines, requests.map((r) => r.body.toString('utf8').replace(/\n/g, ' ')).join('\n'));
    const imported = await runCostline(['import', lines], env);
    expect(imported.code, imported.stderr).toBe(0);

    const before = await runCostline(['report', '--since', '2026-11-01', '--json'], env);
    expect(before.code, before.stderr).toBe(0);
    const b = JSON.parse(before.stdout) as {
      surfaces: { totalCostUsd: string }[];
      unpriced: { model: string; calls: number }[];
    };
    // 10000 × $2.50 + 1000 × $10 = $0.035, and 10001 × $2.50 + $0.01 = $0.0350025.
    expect(b.surfaces[0]?.totalCostUsd).toBe('0.070002500000');
    expect(b.unpriced).toEqual([{ provider: 'openai', model: 'acme-llm-7b', calls: 1 }]);

    const book = join(dir, 'book.yaml');
    await writeFile(
      book,
      `${BOOK}  - provider: openai\n    model: acme-llm-7b\n    input_mtok: 1\n    output_mtok: 1\n`,
    );
    const dry = await runCostline(
      ['reprice', '--from', '2026-11-01', '--price-book', book, '--dry-run'],
      env,
    );
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/Dry run/);

    const run = await runCostline(
      ['reprice', '--from', '2026-11-01', '--to', '2026-12-01', '--price-book', book, '--json'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    // gpt-4o: 10000 × $2 + 1000 × $8 = $0.028 and $0.028002; acme (was unpriced, $0): 11002 × $1 = $0.011002;
    // $0.067004 − $0.0700025 = −$0.0029985.
    expect(JSON.parse(run.stdout)).toMatchObject({
      calls: 3,
      changed: 3,
      deltaUsd: '-0.002998500000',
      newUsd: '0.067004000000',
    });

    const after = JSON.parse(
      (await runCostline(['report', '--since', '2026-11-01', '--json'], env)).stdout,
    ) as typeof b;
    expect(after.surfaces[0]?.totalCostUsd).toBe('0.067004000000');
    expect(after.unpriced).toEqual([]);

    const again = await runCostline(['reprice', '--from', '2026-11-01', '--price-book', book, '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: 0, deltaUsd: '0.000000000000' });
  });
});

describe('costline reprice through a running collector', () => {
  it('goes through POST /api/reprice with the ingest token while the collector holds the store', async () => {
    const dir = await tempDir();
    const env = {
      COSTLINE_DATA_DIR: join(dir, 'store'),
      COSTLINE_PORT: String(await freePort()),
      COSTLINE_INGEST_TOKEN: 't0ken',
    };
    const { child, url } = await startServe(env);
    try {
      const { requests } = await captureOtlp([call('gpt-4o', 0)], { encoding: 'protobuf' });
      const posted = await fetch(`${url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', authorization: 'Bearer t0ken' },
        body: requests[0]?.body,
      });
      expect(posted.status).toBe(200);
      const book = join(dir, 'book.yaml');
      await writeFile(book, BOOK);
      const denied = await runCostline(['reprice', '--from', '2026-11-01', '--price-book', book], {
        ...env,
        COSTLINE_INGEST_TOKEN: 'wrong',
      });
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/\(401\)/);
      let result: { calls: number; changed: number; deltaUsd: string } | undefined;
      for (let i = 0; i < 50 && !result?.calls; i++) {
        const run = await runCostline(
          ['reprice', '--from', '2026-11-01', '--price-book', book, '--json'],
          env,
        );
        expect(run.code, run.stderr).toBe(0);
        result = JSON.parse(run.stdout) as typeof result;
      }
      // 10000 × ($2.50 − $2) + 1000 × ($10 − $8) per million = −$0.007
      expect(result).toMatchObject({ calls: 1, changed: 1, deltaUsd: '-0.007000000000' });
      const sum = await runCostline(
        ['sql', 'SELECT toString(sum(cost_usd)) AS c FROM costline.llm_calls', '--format', 'CSV'],
        env,
      );
      expect(sum.stdout.trim()).toBe('"0.028"');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
