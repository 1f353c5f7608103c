import { describe, expect, it } from 'vitest';
import { UsageError, createPricer, normaliseProviderUsage, priceJson } from '../src/index.ts';
import { catchError } from './support/catch-error.ts';
import { usageOf } from './support/usage.ts';

const time = '2026-11-15T12:00:00Z';

describe('OpenAI Chat Completions usage', () => {
  it('takes cached tokens out of prompt_tokens, which already includes them', () => {
    expect(
      normaliseProviderUsage('openai', {
        prompt_tokens: 17903,
        completion_tokens: 250,
        total_tokens: 18153,
        prompt_tokens_details: { cached_tokens: 17817 },
      }),
    ).toEqual({
      usage: usageOf({ inputTokens: 86, cacheReadTokens: 17817, outputTokens: 250 }),
      inputTotal: 17903,
      outputTotal: 250,
      flags: [],
    });
  });

  it('keeps reasoning inside completion_tokens (informational, never added again)', () => {
    const n = normaliseProviderUsage('openai', {
      prompt_tokens: 14746,
      completion_tokens: 1944,
      completion_tokens_details: { reasoning_tokens: 1360 },
    });
    expect(n.usage).toEqual(usageOf({ inputTokens: 14746, outputTokens: 1944, reasoningTokens: 1360 }));
    expect(n.outputTotal).toBe(1944);

    const out = priceJson(
      {
        provider: 'openai',
        model: 'o3',
        time,
        usage: {
          prompt_tokens: 14746,
          completion_tokens: 1944,
          completion_tokens_details: { reasoning_tokens: 1360 },
        },
      },
      createPricer(),
    );
    expect(out.buckets).toEqual({
      input: { tokens: 14746, usd_per_mtok: '2', cost_usd: '0.029492' },
      output: { tokens: 1944, usd_per_mtok: '8', cost_usd: '0.015552' },
    });
  });

  it('splits audio out of the prompt and completion totals', () => {
    const n = normaliseProviderUsage('openai', {
      prompt_tokens: 15,
      completion_tokens: 47,
      prompt_tokens_details: { audio_tokens: 5, cached_tokens: 0 },
      completion_tokens_details: { audio_tokens: 34, reasoning_tokens: 0 },
    });
    expect(n).toEqual({
      usage: usageOf({ inputTokens: 10, inputAudioTokens: 5, outputTokens: 13, outputAudioTokens: 34 }),
      inputTotal: 15,
      outputTotal: 47,
      flags: [],
    });
  });

  it('reads cache_write_tokens as part of prompt_tokens', () => {
    const n = normaliseProviderUsage('openai', {
      prompt_tokens: 1000,
      completion_tokens: 10,
      prompt_tokens_details: { cached_tokens: 200, cache_write_tokens: 300 },
    });
    expect(n.usage).toEqual(
      usageOf({ inputTokens: 500, cacheReadTokens: 200, cacheWrite5mTokens: 300, outputTokens: 10 }),
    );
    expect(n.inputTotal).toBe(1000);
  });

  it('reads an embeddings usage (prompt_tokens only) and null details as empty', () => {
    expect(
      normaliseProviderUsage('openai', {
        prompt_tokens: 8000,
        total_tokens: 8000,
        prompt_tokens_details: null,
        completion_tokens_details: null,
      }),
    ).toEqual({ usage: usageOf({ inputTokens: 8000 }), inputTotal: 8000, outputTotal: 0, flags: [] });
  });

  it.each([
    [
      'cached tokens above prompt_tokens',
      { prompt_tokens: 100, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 200 } },
      'negative_bucket:input',
    ],
    [
      'audio output above completion_tokens',
      { prompt_tokens: 100, completion_tokens: 5, completion_tokens_details: { audio_tokens: 6 } },
      'negative_bucket:output',
    ],
    [
      'reasoning above completion_tokens',
      { prompt_tokens: 100, completion_tokens: 5, completion_tokens_details: { reasoning_tokens: 6 } },
      'negative_bucket:reasoning',
    ],
  ])('flags %s and is not priced', (_what, usage, flag) => {
    expect(normaliseProviderUsage('openai', usage).flags).toEqual([flag]);
    const out = priceJson({ provider: 'openai', model: 'gpt-4o', time, usage }, createPricer());
    expect(out).toMatchObject({ priced: false, cost_usd: '0', buckets: {}, flags: [flag] });
  });

  it.each([
    [
      { prompt_tokens: -1, completion_tokens: 5 },
      'usage.prompt_tokens',
      'must be a non-negative integer, got -1',
    ],
    [{ prompt_tokens: 1.5 }, 'usage.prompt_tokens', 'must be a non-negative integer, got 1.5'],
    [{ prompt_tokens: '10' }, 'usage.prompt_tokens', 'must be a non-negative integer, got the string "10"'],
    [{ completion_tokens: 5 }, 'usage.prompt_tokens', 'must be a non-negative integer, got none'],
    [
      { prompt_tokens: 10, prompt_tokens_details: { cached_tokens: -3 } },
      'usage.prompt_tokens_details.cached_tokens',
      'must be a non-negative integer, got -3',
    ],
  ])('throws a UsageError naming the field for %j', (usage, field, problem) => {
    const err = catchError(() => normaliseProviderUsage('openai', usage));
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({
      code: 'invalid_usage_value',
      field,
      problem,
      message: `${field} ${problem}`,
    });
  });

  it('throws invalid_usage_shape for details that are not an object', () => {
    const err = catchError(() =>
      normaliseProviderUsage('openai', { prompt_tokens: 10, prompt_tokens_details: [1] }),
    );
    expect(err).toMatchObject({ code: 'invalid_usage_shape', field: 'usage.prompt_tokens_details' });
  });
});

describe('OpenAI Responses API usage', () => {
  it('takes cached tokens out of input_tokens and keeps reasoning inside output_tokens', () => {
    expect(
      normaliseProviderUsage('openai', {
        input_tokens: 5000,
        input_tokens_details: { cached_tokens: 4096 },
        output_tokens: 700,
        output_tokens_details: { reasoning_tokens: 512 },
        total_tokens: 5700,
      }),
    ).toEqual({
      usage: usageOf({ inputTokens: 904, cacheReadTokens: 4096, outputTokens: 700, reasoningTokens: 512 }),
      inputTotal: 5000,
      outputTotal: 700,
      flags: [],
    });
  });

  it('flags cached tokens above input_tokens', () => {
    const n = normaliseProviderUsage('openai', {
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 11 },
      output_tokens: 1,
      total_tokens: 11,
    });
    expect(n.flags).toEqual(['negative_bucket:input']);
    expect(n.usage.inputTokens).toBe(0);
  });
});
