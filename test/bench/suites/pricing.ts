/**
 * Pricing fast path: `Pricer.price()` per call against genai-prices' own `calcPrice` on the same
 * inputs, interleaved in one run. (Placeholder measurement of the existing pricer; the pricing issue
 * owns the target and the full input set.)
 *
 * @module
 */

import { calcPrice } from '@pydantic/genai-prices';
import { createPricer, normaliseProviderUsage } from '@costline/pricing';
import type { Metric, Suite } from '../metric.ts';

const suite: Suite = {
  name: 'pricing',
  async run({ full }) {
    const pricer = createPricer();
    const time = new Date('2026-11-15T12:00:00Z');
    const raw = {
      prompt_tokens: 17903,
      completion_tokens: 250,
      prompt_tokens_details: { cached_tokens: 17817 },
    };
    const usage = normaliseProviderUsage('openai', raw).usage;
    const n = full ? 200_000 : 20_000;
    const ours = (): void => {
      for (let i = 0; i < n; i++) pricer.price({ provider: 'openai', model: 'gpt-4o', time, usage });
    };
    const theirs = (): void => {
      for (let i = 0; i < n; i++)
        calcPrice({ input_tokens: 17903, cache_read_tokens: 17817, output_tokens: 250 }, 'gpt-4o', {
          providerId: 'openai',
          timestamp: time,
        });
    };
    const oursNs: number[] = [];
    const theirsNs: number[] = [];
    for (let round = 0; round < 5; round++) {
      let t = process.hrtime.bigint();
      ours();
      oursNs.push(Number(process.hrtime.bigint() - t) / n);
      t = process.hrtime.bigint();
      theirs();
      theirsNs.push(Number(process.hrtime.bigint() - t) / n);
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    await Promise.resolve();
    const o = median(oursNs);
    const c = median(theirsNs);
    return [
      {
        name: 'pricing.price_per_call_us',
        value: o / 1000,
        unit: 'us',
        note: 'Pricer.price(), gpt-4o, cached usage',
      },
      {
        name: 'pricing.calcprice_per_call_us',
        value: c / 1000,
        unit: 'us',
        note: 'genai-prices calcPrice, same input',
      },
      {
        name: 'pricing.fastpath_vs_calcprice.ratio',
        value: c / o,
        unit: 'ratio',
        note: 'calcPrice time / ours (higher is better)',
      },
    ] satisfies Metric[];
  },
};
export default suite;
