/**
 * Costline's override table: what `@pydantic/genai-prices` 0.1.8 lacks, checked model by model
 * against its bundled data on 2026-12-03. Every rule only fills a gap — where genai-prices already
 * has the price, its value is used — and every price it sets is marked `costline-overrides`.
 *
 * @module
 */

import type { ModelInfo } from '@pydantic/genai-prices';
import { Dec } from './money.ts';
import { tierName } from './price-table.ts';
import type { PriceTable, TieredPrice } from './price-table.ts';

export const OVERRIDES_SOURCE = 'costline-overrides';
/** Date the table was last checked against the providers' published prices. */
export const OVERRIDES_VERSION = '2026-12-03';

/**
 * Anthropic long-context pricing for Claude Sonnet 4 and 4.5 with the 1M-token context window: when a
 * request's total input (uncached + cache reads + cache writes) is strictly above 200,000 tokens,
 * every bucket of the request is priced at the long-context rate — input and cache prices x2
 * ($3 → $6, $0.30 → $0.60, $3.75 → $7.50, $6 → $12), output x1.5 ($15 → $22.50).
 * Sources: https://docs.claude.com/en/docs/about-claude/pricing#long-context-pricing ;
 * Bedrock: https://aws.amazon.com/bedrock/pricing/ (Sonnet 4 / 4.5 "Long Context" rows).
 *
 * genai-prices 0.1.8 has these tiers for `anthropic/claude-sonnet-4-5` and `google/claude-sonnet-4-5`
 * (used as they are) but prices the models below flat, so a 300K-token request was under-priced.
 */
const LONG_CONTEXT_MODELS: ReadonlySet<string> = new Set([
  'anthropic/claude-sonnet-4-0',
  'google/claude-4-sonnet',
  'aws/global.anthropic.claude-sonnet-4-20250514-v1:0',
  'aws/regional.anthropic.claude-sonnet-4-20250514-v1:0',
  'aws/global.anthropic.claude-sonnet-4-5-20250929-v1:0',
  'aws/regional.anthropic.claude-sonnet-4-5-20250929-v1:0',
]);
const LONG_CONTEXT_THRESHOLD = 200_000;
const LONG_CONTEXT_FACTORS: Readonly<Record<string, string>> = {
  input_mtok: '2',
  cache_read_mtok: '2',
  cache_write_mtok: '2',
  cache_write_1h_mtok: '2',
  output_mtok: '1.5',
};

/**
 * Anthropic 1-hour cache writes cost 2x the base input price (5-minute writes 1.25x).
 * Source: https://docs.claude.com/en/docs/build-with-claude/prompt-caching#pricing
 * genai-prices 0.1.8 has `cache_write_1h_mtok` for every model of its `anthropic` provider (used as
 * is), but not for Claude on Bedrock (`aws`) or Vertex (`google`): without this rule genai-prices'
 * semantics would price 1-hour writes at the 5-minute price.
 */
const ONE_HOUR_WRITE_FACTOR = new Dec(2);

function scaled(entry: TieredPrice, factor: Dec): TieredPrice {
  return {
    base: { price: entry.base.price.mul(factor), origin: 'costline-overrides' },
    tiers: entry.tiers.map((t) => ({
      ...t,
      price: t.price.mul(factor),
      origin: 'costline-overrides' as const,
    })),
  };
}

/** Fills the gaps above in a model's price table (a fresh table per resolution; mutated in place). */
export function applyModelOverrides(providerId: string, model: ModelInfo, table: PriceTable): void {
  const hasTiers = [...table.values()].some((entry) => entry.tiers.length > 0);
  if (LONG_CONTEXT_MODELS.has(`${providerId}/${model.id}`) && !hasTiers) {
    for (const [key, entry] of table) {
      const factor = LONG_CONTEXT_FACTORS[key];
      if (factor === undefined) continue;
      const price = entry.base.price.mul(factor);
      entry.tiers = [
        {
          start: LONG_CONTEXT_THRESHOLD,
          name: tierName(LONG_CONTEXT_THRESHOLD),
          price,
          origin: 'costline-overrides',
        },
      ];
    }
  }
  const input = table.get('input_mtok');
  if (
    model.id.includes('claude') &&
    input !== undefined &&
    table.has('cache_write_mtok') &&
    !table.has('cache_write_1h_mtok')
  ) {
    table.set('cache_write_1h_mtok', scaled(input, ONE_HOUR_WRITE_FACTOR));
  }
}

/**
 * OpenAI Priority processing, per million tokens (input / cached input / output), from
 * https://openai.com/api/pricing/ (Priority). genai-prices has no service tiers. Keyed by
 * genai-prices model id; a model not listed is priced at standard with `unpriced_service_tier:priority`.
 */
const OPENAI_PRIORITY: Readonly<Record<string, { input: string; cacheRead: string; output: string }>> = {
  'gpt-5': { input: '2.5', cacheRead: '0.25', output: '20' },
  'gpt-5.1': { input: '2.5', cacheRead: '0.25', output: '20' },
  'gpt-5-mini': { input: '0.45', cacheRead: '0.045', output: '3.6' },
  'gpt-4.1': { input: '3.5', cacheRead: '0.875', output: '14' },
  'gpt-4.1-mini': { input: '0.7', cacheRead: '0.175', output: '2.8' },
  'gpt-4.1-nano': { input: '0.2', cacheRead: '0.05', output: '0.8' },
  'gpt-4o': { input: '4.25', cacheRead: '2.125', output: '17' },
  'gpt-4o-mini': { input: '0.25', cacheRead: '0.125', output: '1' },
  o3: { input: '3.5', cacheRead: '0.875', output: '14' },
  'o4-mini': { input: '2', cacheRead: '0.5', output: '8' },
};

/**
 * Discounted service tiers, as a factor on every token price (per-call tool fees are not discounted).
 * - `batch` 50%: OpenAI / Azure OpenAI Batch API (https://platform.openai.com/docs/guides/batch),
 *   Anthropic Message Batches (https://docs.claude.com/en/docs/build-with-claude/batch-processing#pricing),
 *   Gemini Batch Mode (https://ai.google.dev/gemini-api/docs/batch-mode), Bedrock batch inference.
 * - `flex` 50%: OpenAI Flex processing is billed at Batch API rates
 *   (https://platform.openai.com/docs/guides/flex-processing).
 */
const DISCOUNT_TIERS: Readonly<Record<string, { factor: string; providers: ReadonlySet<string> }>> = {
  batch: { factor: '0.5', providers: new Set(['openai', 'azure', 'anthropic', 'google', 'aws']) },
  flex: { factor: '0.5', providers: new Set(['openai']) },
};

/** Reported tiers that mean "standard": OpenAI `default`/`auto`, Anthropic `standard`/`standard_only`, Bedrock `on_demand`. */
const STANDARD_TIERS: ReadonlySet<string> = new Set([
  '',
  'default',
  'auto',
  'standard',
  'standard_only',
  'on_demand',
]);

export type ServiceTierRule =
  | { kind: 'standard' }
  | { kind: 'factor'; name: string; factor: Dec }
  | { kind: 'replace'; name: string; prices: Readonly<Record<string, Dec>> }
  | { kind: 'unpriced'; flag: string };

/** How a reported service tier changes the price of this (resolved) provider and model. */
export function serviceTierRule(
  providerId: string,
  modelId: string,
  serviceTier: string | undefined,
): ServiceTierRule {
  const tier = (serviceTier ?? '').trim().toLowerCase();
  if (STANDARD_TIERS.has(tier)) return { kind: 'standard' };
  const discount = DISCOUNT_TIERS[tier];
  if (discount !== undefined && discount.providers.has(providerId)) {
    return { kind: 'factor', name: tier, factor: new Dec(discount.factor) };
  }
  if (tier === 'priority' && providerId === 'openai') {
    const p = OPENAI_PRIORITY[modelId];
    if (p === undefined) return { kind: 'unpriced', flag: 'unpriced_service_tier:priority' };
    return {
      kind: 'replace',
      name: 'priority',
      prices: {
        input_mtok: new Dec(p.input),
        cache_read_mtok: new Dec(p.cacheRead),
        output_mtok: new Dec(p.output),
      },
    };
  }
  return { kind: 'unpriced', flag: `unpriced_service_tier:${tier}` };
}
