/**
 * Exact money: the integer fast path and the decimal path agree; products beyond 2^53 and prices
 * with more than six decimals stay exact; the total is rounded once, half-even, at 12 places.
 */

import { describe, expect, it } from 'vitest';
import { createPricer, parsePriceBook } from '../src/index.ts';
import { NOW, usageOf } from './support/usage.ts';

const book = parsePriceBook(`models:
  - { provider: self-hosted, model: fine, input_mtok: "0.1234567", output_mtok: "0.0000001" }
  - { provider: self-hosted, model: half-up, input_mtok: "0.0000015" }
  - { provider: self-hosted, model: half-even, input_mtok: "0.0000025" }
  - { provider: self-hosted, model: third, input_mtok: "1" }
adjustments:
  - { provider: self-hosted, model: third, discount_pct: "33.3333333333333" }
`);
const pricer = createPricer({ priceBook: book });

describe('exact money', () => {
  it('stays exact beyond 2^53 (tokens × price leaves the safe integers)', () => {
    const tokens = 2 ** 50;
    const out = createPricer().price({
      provider: 'openai',
      model: 'gpt-4o',
      time: NOW,
      usage: usageOf({ inputTokens: tokens }),
    });
    // 1125899906842624 × $2.50 / 1e6
    expect(out.costUsd).toBe('2814749767.10656');
  });

  it('prices with seven decimals exactly', () => {
    const out = pricer.price({
      provider: 'self-hosted',
      model: 'fine',
      time: NOW,
      usage: usageOf({ inputTokens: 1000, outputTokens: 3 }),
    });
    // 1000 × 0.1234567 / 1e6 = 0.0001234567; 3 × 0.0000001 / 1e6 = 3e-13, rounded half-even to 12 places = 0
    expect(out.buckets['input']?.costUsd).toBe('0.0001234567');
    expect(out.buckets['output']?.costUsd).toBe('0');
    expect(out.costUsd).toBe('0.0001234567');
  });

  it('rounds the total half-even at 12 places, once', () => {
    const one = usageOf({ inputTokens: 1 });
    expect(pricer.price({ provider: 'self-hosted', model: 'half-up', time: NOW, usage: one }).costUsd).toBe(
      '0.000000000002',
    );
    expect(pricer.price({ provider: 'self-hosted', model: 'half-even', time: NOW, usage: one }).costUsd).toBe(
      '0.000000000002',
    );
    // Three buckets of 1.5e-12 each: rounded separately 2e-12 each, but the total is the exact 4.5e-12 → 4e-12.
    const three = usageOf({ inputTokens: 3 });
    expect(pricer.price({ provider: 'self-hosted', model: 'half-up', time: NOW, usage: three }).costUsd).toBe(
      '0.000000000004',
    );
  });

  it('a discount with many decimals goes through the decimal path and stays exact', () => {
    const out = pricer.price({
      provider: 'self-hosted',
      model: 'third',
      time: NOW,
      usage: usageOf({ inputTokens: 3_000_000 }),
    });
    // 3M × $1 × (1 − 0.333333333333333) = 2.000000000000001, which is 2 at 12 places
    expect(out.costUsd).toBe('2');
    const one = pricer.price({
      provider: 'self-hosted',
      model: 'third',
      time: NOW,
      usage: usageOf({ inputTokens: 1 }),
    });
    // 0.666666666666667e-6 = 0.000000666666666666667 → 0.000000666667
    expect(one.costUsd).toBe('0.000000666667');
    expect(out.buckets['input']?.usdPerMtok).toBe('0.666666666666667');
  });
});
