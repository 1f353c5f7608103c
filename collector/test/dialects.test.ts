/**
 * Dialects the peer tests (test/peers) cannot run here — older producer versions, semconv revisions,
 * free-form producer input — sent through the real OTLP exporter to a real collector and chDB.
 * These spans are HAND-WRITTEN: their keys, values and shapes follow the spans recorded from the
 * named packages in DIALECTS.md (§1–§5, §7); the expected costs are the pricing.json cases.
 */

import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdToPico } from '../src/store/money.ts';
import { startTestCollector } from './support/collector.ts';
import type { TestCollector } from './support/collector.ts';
import { postSpans } from './support/post-spans.ts';
import type { StoredCall } from './support/post-spans.ts';

let tc: TestCollector;
beforeAll(async () => {
  tc = await startTestCollector({ leafWaitMs: 50 });
});
afterAll(async () => {
  await tc.stop();
});

const usd = (row: StoredCall | undefined): bigint => usdToPico(row?.cost_usd ?? 'NaN');

/** anthropic-cache-counted-once: raw input 5, read 128955, write 1253, output 420 → $0.04970025. */
const CACHE_ONCE = 49_700_250_000n;

describe('dialects without a runnable producer here', () => {
  it('Traceloop ≤0.22: `openai.chat`, gen_ai.system "OpenAI", deprecated prompt/completion tokens', async () => {
    const calls = await postSpans(tc, [
      {
        name: 'openai.chat',
        kind: SpanKind.CLIENT,
        scope: '@traceloop/instrumentation-openai',
        scopeVersion: '0.22.5',
        attributes: {
          'gen_ai.system': 'OpenAI',
          'llm.request.type': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
          'gen_ai.usage.prompt_tokens': 1000,
          'gen_ai.usage.completion_tokens': 500,
          'llm.usage.total_tokens': 1500,
        },
      },
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      dialect: 'traceloop',
      provider: 'openai',
      operation: 'chat',
      input_tokens: 1000,
    });
    expect(usd(calls[0])).toBe(usdToPico('0.00045')); // dated-mini-not-matched-to-bigger-model
  });

  it('semconv v1.36: deprecated gen_ai.system and prompt_tokens on an embeddings span', async () => {
    const calls = await postSpans(tc, [
      {
        name: 'embeddings text-embedding-3-small',
        kind: SpanKind.CLIENT,
        scope: 'acme-genai-instrumentation',
        scopeVersion: '1.0.0',
        attributes: {
          'gen_ai.operation.name': 'embeddings',
          'gen_ai.system': 'openai',
          'gen_ai.request.model': 'text-embedding-3-small',
          'gen_ai.usage.prompt_tokens': 8000,
        },
      },
    ]);
    expect(calls[0]).toMatchObject({ dialect: 'otel-genai', operation: 'embeddings', input_tokens: 8000 });
    expect(usd(calls[0])).toBe(usdToPico('0.00016')); // embeddings-input-only
  });

  it('semconv newest: gen_ai.provider.name, cache_write, reasoning inside output', async () => {
    const calls = await postSpans(tc, [
      {
        name: 'chat o3',
        kind: SpanKind.CLIENT,
        scope: 'acme-genai-instrumentation',
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'o3',
          'gen_ai.usage.input_tokens': 14746,
          'gen_ai.usage.output_tokens': 1944,
          'gen_ai.usage.reasoning.output_tokens': 1360,
        },
      },
      {
        name: 'chat claude-sonnet-4-5',
        kind: SpanKind.CLIENT,
        scope: 'acme-genai-instrumentation',
        durationMs: 200,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-sonnet-4-5-20250929',
          'gen_ai.usage.input_tokens': 130213, // inclusive, as semconv says
          'gen_ai.usage.cache_read.input_tokens': 128955,
          'gen_ai.usage.cache_write.input_tokens': 1253,
          'gen_ai.usage.output_tokens': 420,
        },
      },
    ]);
    const reasoning = calls.find((c) => c.request_model === 'o3');
    const cached = calls.find((c) => c.request_model.startsWith('claude'));
    expect(reasoning).toMatchObject({ output_tokens: 1944, reasoning_tokens: 1360 });
    expect(usd(reasoning)).toBe(usdToPico('0.045044')); // openai-reasoning-inside-output
    expect(cached).toMatchObject({
      input_tokens: 130213,
      uncached_input_tokens: 5,
      cache_write_tokens: 1253,
    });
    expect(usd(cached)).toBe(CACHE_ONCE);
  });

  it('sanity check: an unknown producer whose input is below its cache reads is read as exclusive, flagged', async () => {
    const calls = await postSpans(tc, [
      {
        name: 'chat claude-sonnet-4-5',
        kind: SpanKind.CLIENT,
        scope: 'acme-genai-instrumentation',
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-sonnet-4-5-20250929',
          'gen_ai.usage.input_tokens': 5, // Anthropic's raw count
          'gen_ai.usage.cache_read.input_tokens': 128955,
          'gen_ai.usage.cache_creation.input_tokens': 1253,
          'gen_ai.usage.output_tokens': 420,
        },
      },
    ]);
    expect(calls[0]).toMatchObject({ input_tokens: 130213, uncached_input_tokens: 5, priced: true });
    expect(calls[0]?.price_flags).toContain('input_exclusive_inferred');
    expect(usd(calls[0])).toBe(CACHE_ONCE);
  });

  it('Langfuse manual generation: free-form usage_details partition; cost_details kept as a hint only', async () => {
    const calls = await postSpans(tc, [
      {
        name: 'answer',
        scope: 'langfuse-sdk',
        scopeVersion: '5.11.1',
        attributes: {
          'langfuse.observation.type': 'generation',
          'langfuse.observation.model.name': 'claude-sonnet-4-5-20250929',
          'langfuse.observation.usage_details': JSON.stringify({
            input: 5,
            output: 420,
            cache_read_input_tokens: 128955,
            cache_creation_input_tokens: 1253,
            total: 130633,
          }),
          'langfuse.observation.cost_details': JSON.stringify({ input: 0.04, output: 0.0063, total: 0.0463 }),
        },
      },
    ]);
    expect(calls[0]).toMatchObject({ dialect: 'langfuse', provider: 'anthropic', input_tokens: 130213 });
    expect(usd(calls[0])).toBe(CACHE_ONCE);
    expect(calls[0]?.producer_cost_usd).toBe('0.0463');
  });

  it('OpenLIT gen_ai.usage.cost is a hint beside our price, never the price', async () => {
    const calls = await postSpans(tc, [
      {
        name: 'chat gpt-4o-mini',
        kind: SpanKind.CLIENT,
        scope: '@openlit/instrumentation-openai',
        scopeVersion: '1.0.0',
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini-2024-07-18',
          'gen_ai.usage.input_tokens': 1000,
          'gen_ai.usage.output_tokens': 500,
          'gen_ai.usage.cost': 0.9, // OpenLIT's own price table, per-1K units
        },
      },
    ]);
    expect(usd(calls[0])).toBe(usdToPico('0.00045'));
    expect(calls[0]?.producer_cost_usd).toBe('0.9');
  });

  it('AI SDK v7 embeddings nest twice and only the inner span has usage: one call', async () => {
    const calls = await postSpans(tc, [
      {
        name: 'embeddings text-embedding-3-small',
        kind: SpanKind.CLIENT,
        scope: 'gen_ai',
        attributes: {
          'gen_ai.operation.name': 'embeddings',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'text-embedding-3-small',
        },
        children: [
          {
            name: 'embeddings text-embedding-3-small',
            kind: SpanKind.CLIENT,
            scope: 'gen_ai',
            attributes: {
              'gen_ai.operation.name': 'embeddings',
              'gen_ai.provider.name': 'openai',
              'gen_ai.request.model': 'text-embedding-3-small',
              'gen_ai.usage.input_tokens': 8000,
            },
          },
        ],
      },
    ]);
    expect(calls).toHaveLength(1);
    expect(usd(calls[0])).toBe(usdToPico('0.00016'));
  });
});
