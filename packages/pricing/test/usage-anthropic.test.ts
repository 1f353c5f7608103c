import { describe, expect, it } from 'vitest';
import { createPricer, detectUsageShape, normaliseProviderUsage, priceJson } from '../src/index.ts';
import { catchError } from './support/catch-error.ts';
import { usageOf } from './support/usage.ts';

const time = '2026-11-15T12:00:00Z';

describe('Anthropic Messages usage', () => {
  it('adds cache reads and writes to input_tokens, which excludes them', () => {
    expect(
      normaliseProviderUsage('anthropic', {
        input_tokens: 5,
        cache_read_input_tokens: 128955,
        cache_creation_input_tokens: 1253,
        output_tokens: 420,
      }),
    ).toEqual({
      usage: usageOf({
        inputTokens: 5,
        cacheReadTokens: 128955,
        cacheWrite5mTokens: 1253,
        outputTokens: 420,
      }),
      inputTotal: 130213,
      outputTotal: 420,
      flags: [],
    });
  });

  it('reads a cache write without a TTL breakdown as a 5-minute write', () => {
    const n = normaliseProviderUsage('anthropic', {
      input_tokens: 3,
      cache_creation_input_tokens: 12304,
      output_tokens: 550,
    });
    expect(n.usage).toMatchObject({ cacheWrite5mTokens: 12304, cacheWrite1hTokens: 0 });
  });

  it.each([
    ['all 1-hour', { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 100 }, 0, 100],
    ['mixed', { ephemeral_5m_input_tokens: 60, ephemeral_1h_input_tokens: 40 }, 60, 40],
    ['only the 1-hour key (the rest is 5-minute)', { ephemeral_1h_input_tokens: 30 }, 70, 30],
    ['null breakdown', null, 100, 0],
  ])('splits cache writes by TTL: %s', (_what, cacheCreation, fiveMin, oneHour) => {
    const n = normaliseProviderUsage('anthropic', {
      input_tokens: 1,
      cache_creation_input_tokens: 100,
      cache_creation: cacheCreation,
      output_tokens: 1,
    });
    expect(n.flags).toEqual([]);
    expect(n.usage).toMatchObject({ cacheWrite5mTokens: fiveMin, cacheWrite1hTokens: oneHour });
    expect(n.inputTotal).toBe(101);
  });

  it('takes the breakdown alone when cache_creation_input_tokens is absent', () => {
    const n = normaliseProviderUsage('anthropic', {
      input_tokens: 1,
      cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 20 },
      output_tokens: 1,
    });
    expect(n.usage).toMatchObject({ cacheWrite5mTokens: 10, cacheWrite1hTokens: 20 });
    expect(n.inputTotal).toBe(31);
  });

  it('prices 1-hour writes at 2x input and 5-minute writes at 1.25x', () => {
    const out = priceJson(
      {
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        time,
        usage: {
          input_tokens: 0,
          // 150,000 in all: below the 200K long-context threshold, so the base prices apply.
          cache_creation_input_tokens: 150_000,
          cache_creation: { ephemeral_5m_input_tokens: 50_000, ephemeral_1h_input_tokens: 100_000 },
          output_tokens: 0,
        },
      },
      createPricer(),
    );
    expect(out.buckets).toEqual({
      cache_write_5m: { tokens: 50_000, usd_per_mtok: '3.75', cost_usd: '0.1875' },
      cache_write_1h: { tokens: 100_000, usd_per_mtok: '6', cost_usd: '0.6' },
    });
    expect(out.cost_usd).toBe('0.7875');
  });

  it.each([
    [
      'a 1-hour part above the total',
      { cache_creation_input_tokens: 10, cache_creation: { ephemeral_1h_input_tokens: 11 } },
      'negative_bucket:cache_write_5m',
    ],
    [
      'a breakdown that does not add up to the total',
      {
        cache_creation_input_tokens: 100,
        cache_creation: { ephemeral_5m_input_tokens: 60, ephemeral_1h_input_tokens: 50 },
      },
      'inconsistent_usage:cache_write_breakdown',
    ],
    [
      'thinking above output',
      { output_tokens_details: { thinking_tokens: 11 } },
      'negative_bucket:reasoning',
    ],
  ])('flags %s and is not priced', (_what, extra, flag) => {
    const usage = { input_tokens: 10, output_tokens: 10, ...extra };
    expect(normaliseProviderUsage('anthropic', usage).flags).toEqual([flag]);
    const out = priceJson({ provider: 'anthropic', model: 'claude-sonnet-4-5', time, usage }, createPricer());
    expect(out).toMatchObject({ priced: false, cost_usd: '0', buckets: {}, flags: [flag] });
  });

  it('reads nullable counts (as the SDK sends them) as 0', () => {
    const n = normaliseProviderUsage('anthropic', {
      input_tokens: 7,
      cache_read_input_tokens: null,
      cache_creation_input_tokens: null,
      cache_creation: null,
      output_tokens: 3,
      server_tool_use: null,
    });
    expect(n).toEqual({
      usage: usageOf({ inputTokens: 7, outputTokens: 3 }),
      inputTotal: 7,
      outputTotal: 3,
      flags: [],
    });
  });

  it('reads thinking tokens as the reasoning part of output_tokens', () => {
    const n = normaliseProviderUsage('anthropic', {
      input_tokens: 1,
      output_tokens: 100,
      output_tokens_details: { thinking_tokens: 60 },
    });
    expect(n.usage).toMatchObject({ outputTokens: 100, reasoningTokens: 60 });
    expect(n.outputTotal).toBe(100);
  });

  it('counts server_tool_use web searches as tool calls (web fetches carry no fee)', () => {
    const n = normaliseProviderUsage('anthropic', {
      input_tokens: 1,
      output_tokens: 1,
      server_tool_use: { web_search_requests: 3, web_fetch_requests: 2 },
    });
    expect(n.toolCalls).toEqual({ web_search: 3 });
    const none = normaliseProviderUsage('anthropic', {
      input_tokens: 1,
      output_tokens: 1,
      server_tool_use: { web_search_requests: 0 },
    });
    expect(none.toolCalls).toBeUndefined();
  });

  it('throws a UsageError naming the nested field', () => {
    const err = catchError(() =>
      normaliseProviderUsage('anthropic', {
        input_tokens: 1,
        cache_creation_input_tokens: 5,
        cache_creation: { ephemeral_1h_input_tokens: -1 },
      }),
    );
    expect(err).toMatchObject({
      code: 'invalid_usage_value',
      field: 'usage.cache_creation.ephemeral_1h_input_tokens',
    });
  });
});

describe('detectUsageShape', () => {
  it.each([
    ['anthropic', { input_tokens: 1, output_tokens: 2 }, 'anthropic'],
    ['openai', { input_tokens: 1, output_tokens: 2 }, 'openai_responses'],
    ['openai', { input_tokens: 1, cache_read_input_tokens: 2 }, 'anthropic'],
    ['aws.bedrock', { input_tokens: 1, cache_creation_input_tokens: 2 }, 'anthropic'],
    ['anthropic', { input_tokens: 1, output_tokens: 2, total_tokens: 3 }, 'openai_responses'],
    ['openrouter', { prompt_tokens: 1 }, 'openai_chat'],
    ['google', { promptTokenCount: 1 }, 'gemini'],
    ['google', { prompt_token_count: 1 }, 'gemini'],
    ['aws.bedrock', { inputTokens: 1, outputTokens: 2 }, 'bedrock_converse'],
    ['openai', { foo: 1 }, undefined],
  ])('%s %j → %s', (provider, usage, shape) => {
    expect(detectUsageShape(provider, usage)).toBe(shape);
  });

  it('refuses a usage object of no known shape, naming the provider', () => {
    const err = catchError(() => normaliseProviderUsage('openai', { tokens: 5 }));
    expect(err).toMatchObject({ code: 'invalid_usage_shape', field: 'usage' });
    expect((err as Error).message).toContain('"openai"');
  });
});
