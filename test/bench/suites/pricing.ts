/**
 * Pricing fast path: `Pricer.price()` per call against genai-prices' own `calcPrice` on the same
 * inputs, interleaved in one run (same process, same warm-up), over a mix of providers and usage
 * shapes: OpenAI cached chat, an effective-dated o3, embeddings, Anthropic long-context with cache
 * writes, Gemini 2.5 Pro above its tier, Bedrock Converse. Also the same mix through a pricer with a
 * price book (an override and a discount), which must stay on the fast path.
 *
 * The ratio is calcPrice time ÷ ours: the resolved (provider, model, day) price is cached, so ours is
 * two map lookups and a few decimal multiplications, while calcPrice matches the model on every call.
 *
 * @module
 */

import { calcPrice } from '@pydantic/genai-prices';
import type { Usage as GenaiUsage } from '@pydantic/genai-prices';
import { createPricer, normaliseProviderUsage, parsePriceBook } from '@costline/pricing';
import type { PriceRequest, Pricer } from '@costline/pricing';
import type { Metric, Suite } from '../metric.ts';

interface Input {
  request: PriceRequest;
  genai: { usage: GenaiUsage; model: string; providerId: string; timestamp: Date };
}

const NOW = new Date('2026-11-15T12:00:00Z');

function input(
  provider: string,
  providerId: string,
  model: string,
  raw: unknown,
  time: Date = NOW,
  serviceTier?: string,
): Input {
  const n = normaliseProviderUsage(provider, raw);
  const u = n.usage;
  return {
    request: { provider, model, time, usage: u, serviceTier, flags: n.flags },
    genai: {
      // genai-prices counts input inclusive of cache reads and writes.
      usage: {
        input_tokens: n.inputTotal,
        cache_read_tokens: u.cacheReadTokens,
        cache_write_tokens: u.cacheWrite5mTokens + u.cacheWrite1hTokens,
        output_tokens: n.outputTotal,
      },
      model,
      providerId,
      timestamp: time,
    },
  };
}

const INPUTS: Input[] = [
  input('openai', 'openai', 'gpt-4o-2024-08-06', {
    prompt_tokens: 17903,
    completion_tokens: 250,
    prompt_tokens_details: { cached_tokens: 17817 },
  }),
  input(
    'openai',
    'openai',
    'o3',
    { prompt_tokens: 14746, completion_tokens: 1944 },
    new Date('2025-05-01T00:00:00Z'),
  ),
  input('openai', 'openai', 'text-embedding-3-small', { prompt_tokens: 8000, total_tokens: 8000 }),
  input('openai', 'openai', 'gpt-4o-mini', { prompt_tokens: 1000, completion_tokens: 500 }, NOW, 'flex'),
  input('anthropic', 'anthropic', 'claude-sonnet-4-5-20250929', {
    input_tokens: 160000,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 50000,
    output_tokens: 2000,
  }),
  input('gcp.gemini', 'google', 'gemini-2.5-pro', {
    promptTokenCount: 250000,
    cachedContentTokenCount: 200000,
    candidatesTokenCount: 1000,
    thoughtsTokenCount: 1000,
  }),
  input('aws.bedrock', 'aws', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', {
    inputTokens: 100,
    outputTokens: 500,
    cacheReadInputTokens: 20000,
    cacheWriteInputTokens: 3000,
  }),
];

const BOOK = parsePriceBook(
  `version: bench
models:
  - provider: openai
    model: gpt-4o-2024-08-06
    effective_from: 2026-01-01
    input_mtok: 2
    cache_read_mtok: 1
    output_mtok: 8
adjustments:
  - provider: anthropic
    discount_pct: 10
`,
  'bench-book.yaml',
);

function perCallNs(run: () => void, calls: number): number {
  const t = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - t) / calls;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const suite: Suite = {
  name: 'pricing',
  async run({ full, log }) {
    const plain = createPricer();
    const withBook = createPricer({ priceBook: BOOK });
    // Every input must price the same way in both libraries before anything is timed.
    for (const i of INPUTS) {
      if (!plain.price(i.request).priced) throw new Error(`bench input ${i.request.model} is not priced`);
      const theirs = calcPrice(i.genai.usage, i.genai.model, {
        providerId: i.genai.providerId,
        timestamp: i.genai.timestamp,
      });
      if (!theirs) throw new Error(`genai-prices does not price ${i.genai.model}`);
    }
    const rounds = full ? 200_000 : 20_000;
    const calls = rounds * INPUTS.length;
    const ours = (pricer: Pricer) => (): void => {
      for (let r = 0; r < rounds; r++) for (const i of INPUTS) pricer.price(i.request);
    };
    const theirs = (): void => {
      for (let r = 0; r < rounds; r++) {
        for (const i of INPUTS) {
          calcPrice(i.genai.usage, i.genai.model, {
            providerId: i.genai.providerId,
            timestamp: i.genai.timestamp,
          });
        }
      }
    };
    const oursNs: number[] = [];
    const bookNs: number[] = [];
    const theirsNs: number[] = [];
    for (let round = 0; round < 5; round++) {
      oursNs.push(perCallNs(ours(plain), calls));
      bookNs.push(perCallNs(ours(withBook), calls));
      theirsNs.push(perCallNs(theirs, calls));
      log(`pricing round ${round + 1}/5`);
    }
    await Promise.resolve();
    const o = median(oursNs);
    const b = median(bookNs);
    const c = median(theirsNs);
    return [
      {
        name: 'pricing.price_per_call_us',
        value: o / 1000,
        unit: 'us',
        note: `Pricer.price(), mix of ${INPUTS.length} provider/usage shapes`,
      },
      {
        name: 'pricing.price_with_book_per_call_us',
        value: b / 1000,
        unit: 'us',
        note: 'same mix, pricer with a price book (override + discount)',
      },
      {
        name: 'pricing.calcprice_per_call_us',
        value: c / 1000,
        unit: 'us',
        note: 'genai-prices calcPrice, same inputs',
      },
      {
        name: 'pricing.fastpath_vs_calcprice.ratio',
        value: c / o,
        unit: 'ratio',
        note: 'calcPrice time / ours (higher is better; aim >= 20)',
      },
      {
        name: 'pricing.fastpath_with_book_vs_calcprice.ratio',
        value: c / b,
        unit: 'ratio',
        note: 'calcPrice time / ours with a price book',
      },
    ] satisfies Metric[];
  },
};
export default suite;
