import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { createPricer, priceJson } from '../src/index.ts';
import type { PriceJsonOutput } from '../src/index.ts';
import { PRICING_CASES, PRICING_CASES_TEXT } from './support/fixtures.ts';

const pricer = createPricer();

/** The expect keys this package can check; span_cases (traces, actions) are the collector's. */
const CHECKED_KEYS = new Set(['cost_usd', 'input_tokens_total']);

describe('shared pricing cases (fixtures/pricing.json)', () => {
  it('holds the 18 priced cases, each with a cost and an input total', () => {
    expect(PRICING_CASES.cases).toHaveLength(18);
    for (const c of PRICING_CASES.cases) {
      expect(Object.keys(c.expect).sort(), c.id).toEqual(['cost_usd', 'input_tokens_total']);
    }
  });

  it('writes every expected cost so that String(number) gives back its literal', () => {
    // Expected costs are JSON numbers; the exact comparison below goes through String(), which must
    // reproduce the literal in the file rather than a neighbouring double.
    const literals = [...PRICING_CASES_TEXT.matchAll(/"cost_usd":\s*([-0-9.eE+]+)/g)].map((m) => m[1]);
    const viaString = [...PRICING_CASES.cases, ...PRICING_CASES.span_cases]
      .filter((c) => c.expect['cost_usd'] !== undefined)
      .map((c) => String(c.expect['cost_usd']));
    expect(literals).toEqual(viaString);
  });

  it.each(PRICING_CASES.cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const out: PriceJsonOutput = priceJson(
      {
        provider: c.provider,
        model: c.model,
        time: c.time,
        usage: c.usage,
        service_tier: c.service_tier,
        tool_calls: c.tool_calls,
      },
      pricer,
    );

    expect(out.priced).toBe(true);
    expect(out.flags).toEqual([]);
    for (const [key, expected] of Object.entries(c.expect)) {
      if (!CHECKED_KEYS.has(key)) throw new Error(`case ${c.id}: no assertion for expect key ${key}`);
      if (key === 'cost_usd') {
        expect(typeof expected).toBe('number');
        const want = new Decimal(String(expected));
        expect(
          new Decimal(out.cost_usd).equals(want),
          `cost_usd ${out.cost_usd}, want ${want.toFixed()}`,
        ).toBe(true);
      } else {
        expect(out.input_tokens_total).toBe(expected);
      }
    }
    // The total is the exact sum of the buckets (each bucket has at most 12 decimals here).
    const sum = Object.values(out.buckets).reduce((acc, b) => acc.add(b.cost_usd), new Decimal(0));
    expect(sum.equals(new Decimal(out.cost_usd))).toBe(true);
  });
});
