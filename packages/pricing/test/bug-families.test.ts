/**
 * One block per family of bug other LLM cost tools keep shipping, each with further cases beyond the
 * shared pricing.json (other models, other providers, other usage shapes). Every expected cost is
 * computed by hand in the comment beside it from the genai-prices list prices (USD per million
 * tokens) and compared exactly.
 */

import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { createPricer, priceJson } from '../src/index.ts';
import type { PriceJsonOutput } from '../src/index.ts';

const pricer = createPricer();
const T = '2026-11-15T12:00:00Z';

function price(input: Record<string, unknown>): PriceJsonOutput {
  return priceJson({ time: T, ...input }, pricer);
}

function expectCost(out: PriceJsonOutput, usd: string, inputTotal?: number): void {
  expect(out.priced, out.flags.join(', ')).toBe(true);
  expect(new Decimal(out.cost_usd).equals(usd), `cost ${out.cost_usd}, want ${usd}`).toBe(true);
  if (inputTotal !== undefined) expect(out.input_tokens_total).toBe(inputTotal);
}

const BEDROCK_SONNET_45 = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';

describe('cache tokens are counted once', () => {
  it('Bedrock Converse: inputTokens excludes cache reads and writes', () => {
    const out = price({
      provider: 'aws.bedrock',
      model: BEDROCK_SONNET_45,
      usage: {
        inputTokens: 100,
        outputTokens: 500,
        cacheReadInputTokens: 20000,
        cacheWriteInputTokens: 3000,
        totalTokens: 23600,
      },
    });
    // 100×3 + 20000×0.3 + 3000×3.75 + 500×15 = 25050 → $0.02505
    expectCost(out, '0.02505', 23100);
  });

  it('Gemini: promptTokenCount includes cachedContentTokenCount', () => {
    const out = price({
      provider: 'gcp.gemini',
      model: 'gemini-2.5-flash',
      usage: {
        promptTokenCount: 10000,
        cachedContentTokenCount: 8000,
        candidatesTokenCount: 200,
        totalTokenCount: 10200,
      },
    });
    // 2000×0.3 + 8000×0.03 + 200×2.5 = 1340 → $0.00134
    expectCost(out, '0.00134', 10000);
    expect(out.buckets['cache_read']?.tokens).toBe(8000);
  });

  it('OpenAI Responses: input_tokens includes cached_tokens', () => {
    const out = price({
      provider: 'openai',
      model: 'gpt-5-mini-2025-08-07',
      usage: {
        input_tokens: 20000,
        input_tokens_details: { cached_tokens: 16000 },
        output_tokens: 300,
        output_tokens_details: { reasoning_tokens: 256 },
        total_tokens: 20300,
      },
    });
    // 4000×0.25 + 16000×0.025 + 300×2 = 2000 → $0.002
    expectCost(out, '0.002', 20000);
  });
});

describe('long-context tiers apply to every bucket, decided on total input', () => {
  it('Claude Sonnet 4 (tier from the override table): cache reads push the request over 200K', () => {
    const out = price({
      provider: 'anthropic',
      model: 'claude-sonnet-4-20250514',
      usage: {
        input_tokens: 150000,
        cache_read_input_tokens: 60000,
        cache_creation_input_tokens: 0,
        output_tokens: 2000,
      },
    });
    // 150000×6 + 60000×0.6 + 2000×22.5 = 981000 → $0.981
    expectCost(out, '0.981', 210000);
    expect(out.tier).toBe('long_context_200k');
  });

  it('Gemini 2.5 Pro: cached content counts toward the threshold, thoughts priced as output at the tier', () => {
    const above = price({
      provider: 'google',
      model: 'gemini-2.5-pro',
      usage: {
        promptTokenCount: 250000,
        cachedContentTokenCount: 200000,
        candidatesTokenCount: 1000,
        thoughtsTokenCount: 1000,
      },
    });
    // 50000×2.5 + 200000×0.25 + 2000×15 = 205000 → $0.205
    expectCost(above, '0.205', 250000);
    const at = price({
      provider: 'google',
      model: 'gemini-2.5-pro',
      usage: {
        promptTokenCount: 200000,
        cachedContentTokenCount: 150000,
        candidatesTokenCount: 1000,
        thoughtsTokenCount: 1000,
      },
    });
    // exactly 200K is not above: 50000×1.25 + 150000×0.125 + 2000×10 = 101250 → $0.10125
    expectCost(at, '0.10125', 200000);
    expect(at.tier).toBe('standard');
  });
});

describe('1-hour cache writes are priced as 1-hour writes', () => {
  it('Bedrock Converse cacheDetails split by TTL (Claude on Bedrock: 1h = 2× input)', () => {
    const out = price({
      provider: 'aws.bedrock',
      model: BEDROCK_SONNET_45,
      usage: {
        inputTokens: 50,
        outputTokens: 100,
        cacheReadInputTokens: 0,
        cacheWriteInputTokens: 10000,
        cacheDetails: [
          { ttl: '1h', inputTokens: 6000 },
          { ttl: '5m', inputTokens: 4000 },
        ],
      },
    });
    // 50×3 + 4000×3.75 + 6000×6 + 100×15 = 52650 → $0.05265
    expectCost(out, '0.05265', 10050);
    expect(out.buckets['cache_write_1h']).toEqual({ tokens: 6000, usd_per_mtok: '6', cost_usd: '0.036' });
  });

  it('Anthropic Haiku 4.5 ephemeral_1h_input_tokens', () => {
    const out = price({
      provider: 'anthropic',
      model: 'claude-haiku-4-5-20251001',
      usage: {
        input_tokens: 10,
        cache_creation_input_tokens: 8000,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 8000 },
        output_tokens: 50,
      },
    });
    // 10×1 + 8000×2 + 50×5 = 16260 → $0.01626
    expectCost(out, '0.01626', 8010);
  });
});

describe('reasoning is part of output, never added on top', () => {
  it.each([
    [
      'chat completions',
      { prompt_tokens: 1000, completion_tokens: 3000, completion_tokens_details: { reasoning_tokens: 2500 } },
    ],
    [
      'responses',
      {
        input_tokens: 1000,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 3000,
        output_tokens_details: { reasoning_tokens: 2500 },
        total_tokens: 4000,
      },
    ],
  ])('o4-mini, %s', (_shape, usage) => {
    // 1000×1.1 + 3000×4.4 = 14300 → $0.0143 (not 5500 output tokens)
    const out = price({ provider: 'openai', model: 'o4-mini-2025-04-16', usage });
    expectCost(out, '0.0143', 1000);
    expect(out.output_tokens_total).toBe(3000);
  });
});

describe('dated snapshots resolve to their own model, never a shorter prefix', () => {
  it.each([
    ['openai', 'gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini', '0.002'], // 1000×0.4 + 1000×1.6 (gpt-4.1 would be 0.01)
    ['openai', 'o3-mini-2025-01-31', 'o3-mini', '0.0055'], // 1000×1.1 + 1000×4.4 (o3 would be 0.01)
    ['anthropic', 'claude-haiku-4-5-20251001', 'claude-haiku-4-5', '0.006'], // 1000×1 + 1000×5
  ])('%s %s', (provider, model, resolved, usd) => {
    const out = price({
      provider,
      model,
      usage:
        provider === 'openai'
          ? { prompt_tokens: 1000, completion_tokens: 1000 }
          : { input_tokens: 1000, output_tokens: 1000 },
    });
    expectCost(out, usd);
    expect(out.model).toBe(resolved);
  });
});

describe('embeddings are input only', () => {
  it('OpenAI embeddings and Bedrock Titan embeddings', () => {
    // 8000 × $0.02 and 5000 × $0.10 per million
    expectCost(
      price({
        provider: 'openai',
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 8000, total_tokens: 8000 },
      }),
      '0.00016',
      8000,
    );
    const titan = price({
      provider: 'aws.bedrock',
      model: 'amazon.titan-embed-text-v2:0',
      usage: { embedding: [0.1, 0.2], inputTextTokenCount: 5000 },
    });
    expectCost(titan, '0.0005', 5000);
    expect(titan.output_tokens_total).toBe(0);
  });
});

describe('prices are effective-dated by the call time', () => {
  it('o3 before and after the 2025-06-10 price cut', () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 1000 };
    // before: 1000×10 + 1000×40 = $0.05; from the cut: 1000×2 + 1000×8 = $0.01
    expectCost(
      priceJson({ provider: 'openai', model: 'o3', time: '2025-06-09T23:59:59Z', usage }, pricer),
      '0.05',
    );
    expectCost(
      priceJson({ provider: 'openai', model: 'o3', time: '2025-06-10T00:00:00Z', usage }, pricer),
      '0.01',
    );
  });
});

describe('service tiers', () => {
  it('batch is half price, from the explicit field or the Anthropic usage service_tier', () => {
    const usage = { input_tokens: 1000, output_tokens: 1000, cache_read_input_tokens: 0 };
    // (1000×3 + 1000×15) × 0.5 = $0.009
    const explicit = price({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      usage,
      service_tier: 'batch',
    });
    expectCost(explicit, '0.009');
    expect(explicit.tier).toBe('batch');
    expectCost(
      price({
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        usage: { ...usage, service_tier: 'batch' },
      }),
      '0.009',
    );
    expectCost(
      price({
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        usage: { ...usage, service_tier: 'standard' },
      }),
      '0.018',
    );
  });

  it('priority has its own price (OpenAI gpt-4o-mini: $0.25 / $1)', () => {
    const out = price({
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage: { prompt_tokens: 1000, completion_tokens: 1000 },
      service_tier: 'priority',
    });
    expectCost(out, '0.00125');
    expect(out.tier).toBe('priority');
  });
});

describe('per-call tool fees come from the calls made', () => {
  it('OpenAI web search: tool_calls in the input', () => {
    const out = price({
      provider: 'openai',
      model: 'gpt-4.1',
      usage: { prompt_tokens: 1000, completion_tokens: 100 },
      tool_calls: { web_search: 3 },
    });
    // 1000×2 + 100×8 = $0.0028, plus 3 × $10/1000 = $0.03
    expectCost(out, '0.0328');
    expect(out.buckets['tool:web_search']).toEqual({ tokens: 3, usd_per_mtok: '10000', cost_usd: '0.03' });
  });

  it('Anthropic server_tool_use.web_search_requests inside usage', () => {
    const out = price({
      provider: 'anthropic',
      model: 'claude-sonnet-4-20250514',
      usage: { input_tokens: 100, output_tokens: 100, server_tool_use: { web_search_requests: 2 } },
    });
    // 100×3 + 100×15 = $0.0018, plus 2 × $10/1000 = $0.02
    expectCost(out, '0.0218');
  });
});

describe('what cannot be priced is flagged, never a silent $0', () => {
  it('a negative bucket', () => {
    const out = price({
      provider: 'openai',
      model: 'gpt-4o',
      usage: { prompt_tokens: 100, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 200 } },
    });
    expect(out).toMatchObject({ priced: false, cost_usd: '0' });
    expect(out.flags).toContain('negative_bucket:input');
  });

  it('an unknown model', () => {
    const out = price({
      provider: 'openai',
      model: 'gpt-9-ultra',
      usage: { prompt_tokens: 100, completion_tokens: 5 },
    });
    expect(out).toMatchObject({ priced: false, cost_usd: '0' });
    expect(out.flags).toContain('unknown_model');
  });

  it('an unknown response model falls back to the request model, flagged', () => {
    const out = price({
      provider: 'openai',
      model: 'gpt-4o-custom-snapshot-x',
      request_model: 'gpt-4o',
      usage: { prompt_tokens: 1000, completion_tokens: 0 },
    });
    expectCost(out, '0.0025');
    expect(out.flags).toContain('priced_as_request_model');
  });
});

describe('provider spellings of every producer map to the same price', () => {
  it.each([
    ['x_ai', 'x-ai'],
    ['xai', 'x-ai'],
    ['mistral_ai', 'mistral'],
    ['moonshot_ai', 'moonshotai'],
    ['together_ai', 'together'],
    ['deepseek', 'deepseek'],
    ['ibm.watsonx.ai', 'ibm.watsonx.ai'],
  ])('%s maps to the genai-prices provider %s', (provider, id) => {
    const out = price({
      provider,
      model: 'no-such-model',
      usage: { prompt_tokens: 1, completion_tokens: 0 },
    });
    expect(out.provider).toBe(id);
    expect(out.flags).toContain('unknown_model');
  });

  it.each([
    ['gcp.gemini', 'gemini-2.5-flash', { promptTokenCount: 1000, candidatesTokenCount: 0 }, '0.0003'],
    ['gcp.vertex_ai', 'gemini-2.5-flash', { promptTokenCount: 1000, candidatesTokenCount: 0 }, '0.0003'],
    ['vertexai', 'gemini-2.5-flash', { promptTokenCount: 1000, candidatesTokenCount: 0 }, '0.0003'],
    ['aws.bedrock', BEDROCK_SONNET_45, { inputTokens: 1000, outputTokens: 0 }, '0.003'],
    ['bedrock', BEDROCK_SONNET_45, { inputTokens: 1000, outputTokens: 0 }, '0.003'],
    ['azure.ai.openai', 'gpt-4o-2024-08-06', { prompt_tokens: 1000, completion_tokens: 0 }, '0.0025'],
    ['az.ai.openai', 'gpt-4o-2024-08-06', { prompt_tokens: 1000, completion_tokens: 0 }, '0.0025'],
    ['litellm', 'openai/gpt-4o', { prompt_tokens: 1000, completion_tokens: 0 }, '0.0025'],
    ['OpenAI', 'gpt-4o', { prompt_tokens: 1000, completion_tokens: 0 }, '0.0025'],
    ['openai.chat', 'gpt-4o', { prompt_tokens: 1000, completion_tokens: 0 }, '0.0025'],
    ['openai.responses', 'gpt-4o', { input_tokens: 1000, output_tokens: 0 }, '0.0025'],
    ['anthropic.messages', 'claude-sonnet-4-5', { input_tokens: 1000, output_tokens: 0 }, '0.003'],
    ['amazon-bedrock', BEDROCK_SONNET_45, { inputTokens: 1000, outputTokens: 0 }, '0.003'],
    [
      'google.generative-ai',
      'gemini-2.5-flash',
      { promptTokenCount: 1000, candidatesTokenCount: 0 },
      '0.0003',
    ],
  ])('%s %s', (provider, model, usage, usd) => {
    expectCost(price({ provider, model, usage }), usd);
  });
});
