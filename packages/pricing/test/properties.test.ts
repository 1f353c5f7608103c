/**
 * Property tests (fast-check): for random consistent usage in every provider shape, on models with
 * and without long-context tiers, the buckets hold every token exactly once, and the total is the
 * exact sum of the bucket costs rounded once (half-even, 12 places) — so the rounded buckets differ
 * from it by less than half a unit in the 12th place per bucket.
 */

import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { createPricer, priceJson } from '../src/index.ts';
import type { PriceJsonOutput } from '../src/index.ts';

const pricer = createPricer();
const tokens = fc.integer({ min: 0, max: 300_000 });
const small = fc.integer({ min: 0, max: 20_000 });

interface Shape {
  name: string;
  provider: string;
  models: string[];
  usage: fc.Arbitrary<Record<string, unknown>>;
}

const SHAPES: Shape[] = [
  {
    name: 'openai chat',
    provider: 'openai',
    models: ['gpt-4o-2024-08-06', 'o3', 'gpt-audio-mini', 'gpt-4.1-mini'],
    usage: fc
      .record({
        uncached: tokens,
        cached: tokens,
        audioIn: small,
        text: small,
        reasoning: small,
        audioOut: small,
      })
      .map((u) => ({
        prompt_tokens: u.uncached + u.cached + u.audioIn,
        completion_tokens: u.text + u.reasoning + u.audioOut,
        prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: u.audioIn },
        completion_tokens_details: { reasoning_tokens: u.reasoning, audio_tokens: u.audioOut },
      })),
  },
  {
    name: 'openai responses',
    provider: 'openai',
    models: ['gpt-4.1', 'gpt-5', 'o4-mini'],
    usage: fc.record({ uncached: tokens, cached: tokens, text: small, reasoning: small }).map((u) => ({
      input_tokens: u.uncached + u.cached,
      input_tokens_details: { cached_tokens: u.cached },
      output_tokens: u.text + u.reasoning,
      output_tokens_details: { reasoning_tokens: u.reasoning },
      total_tokens: u.uncached + u.cached + u.text + u.reasoning,
    })),
  },
  {
    name: 'anthropic',
    provider: 'anthropic',
    models: ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-20250514', 'claude-haiku-4-5'],
    usage: fc.record({ input: tokens, read: tokens, w5: small, w1: small, out: small }).map((u) => ({
      input_tokens: u.input,
      cache_read_input_tokens: u.read,
      cache_creation_input_tokens: u.w5 + u.w1,
      cache_creation: { ephemeral_5m_input_tokens: u.w5, ephemeral_1h_input_tokens: u.w1 },
      output_tokens: u.out,
    })),
  },
  {
    name: 'gemini',
    provider: 'gcp.gemini',
    models: ['gemini-2.5-pro', 'gemini-2.5-flash'],
    usage: fc.record({ uncached: tokens, cached: tokens, candidates: small, thoughts: small }).map((u) => ({
      promptTokenCount: u.uncached + u.cached,
      cachedContentTokenCount: u.cached,
      candidatesTokenCount: u.candidates,
      thoughtsTokenCount: u.thoughts,
      totalTokenCount: u.uncached + u.cached + u.candidates + u.thoughts,
    })),
  },
  {
    name: 'bedrock converse',
    provider: 'aws.bedrock',
    models: [
      'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'us.anthropic.claude-sonnet-4-20250514-v1:0',
    ],
    usage: fc.record({ input: tokens, read: tokens, w5: small, w1: small, out: small }).map((u) => ({
      inputTokens: u.input,
      outputTokens: u.out,
      cacheReadInputTokens: u.read,
      cacheWriteInputTokens: u.w5 + u.w1,
      cacheDetails: [
        { ttl: '5m', inputTokens: u.w5 },
        { ttl: '1h', inputTokens: u.w1 },
      ],
    })),
  },
];

const TOKEN_BUCKETS = new Set([
  'input',
  'cache_read',
  'cache_write_5m',
  'cache_write_1h',
  'output',
  'output_reasoning',
  'input_audio',
  'output_audio',
]);

function checkBreakdown(out: PriceJsonOutput): void {
  expect(out.priced, out.flags.join(', ')).toBe(true);
  const buckets = Object.entries(out.buckets);
  // No token priced twice, none left out.
  const tokenSum = buckets.filter(([n]) => TOKEN_BUCKETS.has(n)).reduce((s, [, b]) => s + b.tokens, 0);
  expect(tokenSum).toBe(out.input_tokens_total + out.output_tokens_total);
  // The total is the exact sum of tokens × price, rounded once.
  const exact = buckets.reduce(
    (s, [, b]) => s.add(new Decimal(b.usd_per_mtok).mul(b.tokens).div(1_000_000)),
    new Decimal(0),
  );
  expect(exact.toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN).equals(out.cost_usd)).toBe(true);
  const rounded = buckets.reduce((s, [, b]) => s.add(b.cost_usd), new Decimal(0));
  expect(rounded.sub(out.cost_usd).abs().lte(new Decimal('5e-13').mul(buckets.length))).toBe(true);
  // A single price tier per request: every tiered bucket is priced at the same side of the threshold.
  if (out.tier.includes('long_context')) expect(out.input_tokens_total).toBeGreaterThan(200_000);
}

describe('pricing properties', () => {
  for (const shape of SHAPES) {
    it(`${shape.name}: buckets cover every token once and sum to the total`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...shape.models),
          shape.usage,
          fc.constantFrom(undefined, 'batch'),
          (model, usage, tier) => {
            checkBreakdown(
              priceJson(
                { provider: shape.provider, model, time: '2026-11-15T12:00:00Z', usage, service_tier: tier },
                pricer,
              ),
            );
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('contradictory counts are never priced', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (prompt, extra) => {
        const out = priceJson(
          {
            provider: 'openai',
            model: 'gpt-4o',
            time: '2026-11-15T12:00:00Z',
            usage: {
              prompt_tokens: prompt,
              completion_tokens: 0,
              prompt_tokens_details: { cached_tokens: prompt + extra },
            },
          },
          pricer,
        );
        expect(out).toMatchObject({ priced: false, cost_usd: '0' });
      }),
      { numRuns: 100 },
    );
  });
});
