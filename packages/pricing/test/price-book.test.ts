/**
 * The price book: custom and self-hosted models, tiers, aliases, discounts, markups and regional
 * uplift, each effective-dated by the call's own time — and errors that name the line and field.
 * Expected costs are computed by hand from the prices written in each book.
 */

import { describe, expect, it } from 'vitest';
import { createPricer, parsePriceBook, priceJson, PriceBookError } from '../src/index.ts';
import type { PriceJsonOutput } from '../src/index.ts';
import { catchError } from './support/catch-error.ts';

const BOOK = `
version: test-1
models:
  - provider: self-hosted
    model: llama-3.3-70b
    input_mtok: 0.6
    output_mtok: 0.9
    tiers:
      - above_input_tokens: 100000
        input_mtok: 1.2
        output_mtok: 1.8
  - provider: self-hosted
    model: qwen-72b
    gpu_hour: { usd_per_gpu_hour: 2.5, gpus: 4, tokens_per_hour: 10000000 }
  - provider: vllm
    model: llama-3
    match: prefix
    input_mtok: 5
    output_mtok: 5
  - provider: vllm
    model: llama-3.3
    match: prefix
    input_mtok: "0.1"
    output_mtok: "0.1"
  - provider: openai
    model: gpt-4o
    effective_from: 2026-06-01
    input_mtok: 2
    output_mtok: 8
aliases:
  - provider: azure
    name: prod-gpt4o
    model: gpt-4o-2024-08-06
adjustments:
  - provider: openai
    model: gpt-4o*
    discount_pct: 20
    effective_from: 2026-07-01
  - provider: openrouter
    markup_pct: 5
`;

const book = parsePriceBook(BOOK, 'book.yaml');
const pricer = createPricer({ priceBook: book });

function price(input: Record<string, unknown>): PriceJsonOutput {
  return priceJson(input, pricer);
}

const GPT4O_USAGE = {
  prompt_tokens: 10000,
  completion_tokens: 1000,
  prompt_tokens_details: { cached_tokens: 4000 },
};

describe('price book models', () => {
  it('prices a self-hosted model per token, with its own long-context tier strictly above the threshold', () => {
    const at = (input: number) =>
      price({
        provider: 'self-hosted',
        model: 'llama-3.3-70b',
        time: '2026-11-15T12:00:00Z',
        usage: { input_tokens: input, output_tokens: 1000 },
      });
    const below = at(100000);
    expect(below).toMatchObject({
      priced: true,
      cost_usd: '0.0609',
      tier: 'standard',
      source: 'price-book',
      source_version: 'test-1',
      estimated: false,
    });
    const above = at(100001);
    expect(above).toMatchObject({ cost_usd: '0.1218012', tier: 'long_context_100k' });
    expect(above.buckets['input']).toEqual({ tokens: 100001, usd_per_mtok: '1.2', cost_usd: '0.1200012' });
  });

  it('spreads a GPU-hour over the throughput and marks the price estimated', () => {
    const out = price({
      provider: 'self-hosted',
      model: 'qwen-72b',
      time: '2026-11-15T12:00:00Z',
      usage: { input_tokens: 1200, output_tokens: 300 },
    });
    // 2.5 USD × 4 GPUs ÷ 10M tokens/hour = 1 USD per million tokens.
    expect(out).toMatchObject({ priced: true, cost_usd: '0.0015', estimated: true });
    expect(out.flags).toContain('estimated_price:gpu_hour');
    expect(out.buckets['input']?.usd_per_mtok).toBe('1');
  });

  it('matches the longest prefix, never the first', () => {
    const usage = { input_tokens: 1000, output_tokens: 1000 };
    expect(
      price({ provider: 'vllm', model: 'llama-3.3-70b-instruct', time: '2026-11-15T12:00:00Z', usage })
        .cost_usd,
    ).toBe('0.0002');
    expect(
      price({ provider: 'vllm', model: 'llama-3.1-8b', time: '2026-11-15T12:00:00Z', usage }).cost_usd,
    ).toBe('0.01');
  });

  it('an override applies from its effective date by the call time, keeping the prices it does not set', () => {
    const before = price({
      provider: 'openai',
      model: 'gpt-4o',
      time: '2026-05-31T23:59:59.999Z',
      usage: GPT4O_USAGE,
    });
    expect(before).toMatchObject({ cost_usd: '0.03', source: 'genai-prices' });
    const from = price({
      provider: 'openai',
      model: 'gpt-4o',
      time: '2026-06-01T00:00:00Z',
      usage: GPT4O_USAGE,
    });
    // 6000 × $2 + 4000 cached × $1.25 (genai-prices, not in the book) + 1000 × $8, per million.
    expect(from).toMatchObject({
      cost_usd: '0.025',
      source: 'genai-prices+price-book',
      source_version: '0.1.8+test-1',
    });
    expect(from.buckets['cache_read']?.usd_per_mtok).toBe('1.25');
  });

  it('an unknown model before its first book entry is unpriced, not $0', () => {
    const b = parsePriceBook(
      'models:\n  - {provider: self-hosted, model: m1, input_mtok: 1, effective_from: 2026-03-01}\n',
    );
    const out = priceJson(
      {
        provider: 'self-hosted',
        model: 'm1',
        time: '2026-02-28T12:00:00Z',
        usage: { input_tokens: 5, output_tokens: 0 },
      },
      createPricer({ priceBook: b }),
    );
    expect(out).toMatchObject({ priced: false, cost_usd: '0' });
    expect(out.flags).toContain('unknown_model');
  });
});

describe('price book aliases and adjustments', () => {
  it('resolves an Azure deployment name through an alias', () => {
    const direct = price({
      provider: 'azure.ai.openai',
      model: 'gpt-4o-2024-08-06',
      time: '2026-05-01T00:00:00Z',
      usage: GPT4O_USAGE,
    });
    const aliased = price({
      provider: 'azure.ai.openai',
      model: 'prod-gpt4o',
      time: '2026-05-01T00:00:00Z',
      usage: GPT4O_USAGE,
    });
    expect(direct.priced).toBe(true);
    expect(aliased.cost_usd).toBe(direct.cost_usd);
    expect(aliased.flags).toContain('model_alias');
    expect(
      price({
        provider: 'azure.ai.openai',
        model: 'prod-gpt4o',
        time: '2026-05-01T00:00:00Z',
        usage: GPT4O_USAGE,
        request_model: 'x',
      }).priced,
    ).toBe(true);
  });

  it('applies a negotiated discount from its date, on every bucket', () => {
    const out = price({
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      time: '2026-07-02T10:00:00Z',
      usage: GPT4O_USAGE,
    });
    // The book's gpt-4o prices are exact-match only: the dated snapshot keeps genai-prices' prices
    // (0.03), and the gpt-4o* discount takes 20% off.
    expect(out.cost_usd).toBe('0.024');
    expect(out.buckets['input']?.usd_per_mtok).toBe('2');
    expect(
      price({ provider: 'openai', model: 'gpt-4o', time: '2026-07-02T10:00:00Z', usage: GPT4O_USAGE })
        .cost_usd,
    ).toBe('0.02');
    expect(
      price({ provider: 'openai', model: 'gpt-4o', time: '2026-06-30T10:00:00Z', usage: GPT4O_USAGE })
        .cost_usd,
    ).toBe('0.025');
  });

  it('applies a router markup to the vendor price, composed with the vendor discount', () => {
    const out = price({
      provider: 'openrouter',
      model: 'openai/gpt-4o-mini',
      time: '2026-11-15T12:00:00Z',
      usage: { prompt_tokens: 5156, completion_tokens: 21 },
    });
    // 0.000786 at list × 0.8 (the gpt-4o* discount covers gpt-4o-mini too) × 1.05 (the router's markup).
    expect(out.cost_usd).toBe('0.00066024');
    expect(out.source).toBe('genai-prices+price-book');
  });

  it('charges the Vertex regional uplift on Claude 4.5 outside the global endpoint', () => {
    const usage = { input_tokens: 1000, cache_read_input_tokens: 0, output_tokens: 100 };
    const p = createPricer();
    const global = priceJson(
      {
        provider: 'gcp.vertex_ai',
        model: 'claude-sonnet-4-5@20250929',
        time: '2026-11-15T12:00:00Z',
        usage,
        region: 'global',
      },
      p,
    );
    const regional = priceJson(
      {
        provider: 'gcp.vertex_ai',
        model: 'claude-sonnet-4-5@20250929',
        time: '2026-11-15T12:00:00Z',
        usage,
        region: 'us-east5',
      },
      p,
    );
    expect(global).toMatchObject({ cost_usd: '0.0045', tier: 'standard' });
    expect(regional).toMatchObject({ cost_usd: '0.00495', tier: 'regional' });
    // Claude 3.7 on Vertex has no regional premium.
    const old = priceJson(
      {
        provider: 'gcp.vertex_ai',
        model: 'claude-3-7-sonnet@20250219',
        time: '2026-11-15T12:00:00Z',
        usage,
        region: 'us-east5',
      },
      p,
    );
    expect(old.cost_usd).toBe('0.0045');
  });
});

describe('price book validation', () => {
  const error = (text: string): PriceBookError => {
    const err = catchError(() => parsePriceBook(text, 'book.yaml'));
    expect(err).toBeInstanceOf(PriceBookError);
    return err as PriceBookError;
  };

  it('names the line and the field of a bad price', () => {
    const err = error('version: t\nmodels:\n  - provider: self-hosted\n    model: x\n    input_mtok: abc\n');
    expect(err.message).toBe(
      'price book book.yaml line 5, models[0].input_mtok: must be a non-negative decimal, got the string "abc"',
    );
    expect(err).toMatchObject({ code: 'invalid_price_book', line: 5, field: 'models[0].input_mtok' });
  });

  it.each([
    [
      'models:\n  - provider: p\n    model: m\n    inptu_mtok: 1\n',
      4,
      'models[0].inptu_mtok',
      /unknown field/,
    ],
    [
      'models:\n  - provider: p\n    model: m\n    input_mtok: 1\n    effective_from: 2026-02-30\n',
      5,
      'models[0].effective_from',
      /not a calendar date/,
    ],
    ['models:\n  - provider: p\n    input_mtok: 1\n', 2, 'models[0].model', /required/],
    [
      'models:\n  - provider: p\n    model: m\n    input_mtok: -1\n',
      4,
      'models[0].input_mtok',
      /non-negative/,
    ],
    [
      'models:\n  - provider: p\n    model: m\n    input_mtok: 1\n    tiers:\n      - above_input_tokens: 10\n        output_mtok: 2\n',
      7,
      'models[0].tiers[0].output_mtok',
      /no base output_mtok/,
    ],
    [
      'models:\n  - provider: p\n    model: m\n    input_mtok: 1\n    gpu_hour: {usd_per_gpu_hour: 1, tokens_per_hour: 10}\n',
      4,
      'models[0].input_mtok',
      /either gpu_hour/,
    ],
    [
      'adjustments:\n  - provider: p\n    discount_pct: 120\n',
      3,
      'adjustments[0].discount_pct',
      /at most 100/,
    ],
    ['adjustments:\n  - provider: p\n    uplift_pct: 10\n', 2, 'adjustments[0].region', /required/],
    [
      'adjustments:\n  - provider: p\n    discount_pct: 10\n    markup_pct: 5\n',
      2,
      'adjustments[0]',
      /exactly one/,
    ],
    ['models: {a: 1}\n', 1, 'models', /must be a list/],
    [
      'models:\n  - provider: p\n    model: m\n    input_mtok: 1\n  - provider: p\n    model: m\n    input_mtok: 2\n',
      5,
      'models (p/m)',
      /line 2/,
    ],
    ['models:\n  - provider: p\n   model: [\n', 3, '(syntax)', /./],
  ])('rejects %j', (text, line, field, problem) => {
    const err = error(text);
    expect({ line: err.line, field: err.field }).toEqual({ line, field });
    expect(err.message).toMatch(problem);
  });

  it('refuses tiers on a GPU-hour price', () => {
    const err = error(
      'models:\n  - provider: p\n    model: m\n    gpu_hour: {usd_per_gpu_hour: 1, tokens_per_hour: 10}\n    tiers: []\n',
    );
    expect({ line: err.line, field: err.field }).toEqual({ line: 5, field: 'models[0].tiers' });
  });

  it('accepts JSON, and versions an undeclared book by its content', () => {
    const b = parsePriceBook('{"models": [{"provider": "p", "model": "m", "input_mtok": 1}]}');
    expect(b.version).toMatch(/^[0-9a-f]{12}$/);
    expect(b.models[0]?.prices.get('input_mtok')?.base.price.toFixed()).toBe('1');
  });
});
