/**
 * The cost breakdown of one call: each non-zero bucket at its price, in exact decimals, summed once
 * and rounded once (half-even, 12 places) into strings.
 *
 * @module
 */

import type { Dec } from './money.ts';
import { ONE_MILLION, ZERO, formatPrice, formatUsd } from './money.ts';
import type { ServiceTierRule } from './overrides.ts';
import { priceAt } from './price-table.ts';
import type { PriceOrigin, PricePoint, PriceTable, PriceTier } from './price-table.ts';
import { toolPriceKey } from './tool-fees.ts';
import { inputTotalOf } from './usage.ts';
import type { Usage } from './usage.ts';

export interface BucketCost {
  /** Tokens in the bucket (for `tool:*` buckets: calls; for `request`: 1). */
  tokens: number;
  /** Price per million tokens (per million calls for `tool:*` and `request`), exact. */
  usdPerMtok: string;
  /** `tokens × usdPerMtok / 1e6`, rounded half-even to 12 places. */
  costUsd: string;
}

export interface PriceBreakdown {
  /** False when the call could not be priced (unknown model, contradictory usage…): `costUsd` is "0" and `flags` say why. */
  priced: boolean;
  /** Total USD, decimal string rounded half-even to 12 places from the exact sum of the buckets. */
  costUsd: string;
  /** Keys: input, cache_read, cache_write_5m, cache_write_1h, output, output_reasoning, input_audio, output_audio, request, tool:<name>. Non-zero only. */
  buckets: Record<string, BucketCost>;
  /** `standard`, a service tier (`flex`, `batch`, `priority`), a context tier (`long_context_200k`), or both joined by `+`. */
  tier: string;
  /** Where the prices came from: `genai-prices`, `+costline-overrides`, `+price-book`, joined by `+`. */
  source: string;
  /** The version of each source, in the same order, joined by `+`. */
  sourceVersion: string;
  /** Resolved genai-prices ids (or the request's, lower-cased, when unresolved). */
  provider: string;
  model: string;
  /** True when a price is an estimate (a self-hosted model priced per GPU-hour). */
  estimated: boolean;
  flags: string[];
}

interface TokenBucket {
  name: string;
  tokens: (u: Usage, table: PriceTable) => number;
  /** Price keys to try in order: the bucket's own, then the ancestor genai-prices would charge it at. */
  keys: readonly string[];
}

const reasoningPriced = (table: PriceTable): boolean => table.has('output_reasoning_mtok');

const TOKEN_BUCKETS: readonly TokenBucket[] = [
  { name: 'input', tokens: (u) => u.inputTokens, keys: ['input_mtok'] },
  { name: 'cache_read', tokens: (u) => u.cacheReadTokens, keys: ['cache_read_mtok', 'input_mtok'] },
  { name: 'cache_write_5m', tokens: (u) => u.cacheWrite5mTokens, keys: ['cache_write_mtok', 'input_mtok'] },
  {
    name: 'cache_write_1h',
    tokens: (u) => u.cacheWrite1hTokens,
    keys: ['cache_write_1h_mtok', 'cache_write_mtok', 'input_mtok'],
  },
  {
    name: 'output',
    tokens: (u, t) =>
      reasoningPriced(t) ? u.outputTokens - Math.min(u.reasoningTokens, u.outputTokens) : u.outputTokens,
    keys: ['output_mtok'],
  },
  {
    name: 'output_reasoning',
    tokens: (u, t) => (reasoningPriced(t) ? Math.min(u.reasoningTokens, u.outputTokens) : 0),
    keys: ['output_reasoning_mtok'],
  },
  { name: 'input_audio', tokens: (u) => u.inputAudioTokens, keys: ['input_audio_mtok', 'input_mtok'] },
  { name: 'output_audio', tokens: (u) => u.outputAudioTokens, keys: ['output_audio_mtok', 'output_mtok'] },
];

export interface CostInput {
  table: PriceTable;
  usage: Usage;
  serviceTier: ServiceTierRule;
  toolCalls: Readonly<Record<string, number>>;
  /** A multiplier on every price (book discounts and markups, regional uplift). */
  factor?: Dec | undefined;
}

export interface CostResult {
  priced: boolean;
  costUsd: string;
  buckets: Record<string, BucketCost>;
  tier: string;
  /** Where the prices used came from (a service-tier rule counts as `costline-overrides`). */
  origins: PriceOrigin[];
  flags: string[];
}

function bucket(tokens: number, usdPerMtok: Dec): { cost: Dec; out: BucketCost } {
  const cost = usdPerMtok.mul(tokens).div(ONE_MILLION);
  return { cost, out: { tokens, usdPerMtok: formatPrice(usdPerMtok), costUsd: formatUsd(cost) } };
}

function adjusted(price: Dec, factor: Dec | undefined): Dec {
  return factor === undefined ? price : price.mul(factor);
}

/** Prices `usage` (and tool calls) with a resolved price table. Never throws. */
export function computeCost({ table, usage, serviceTier, toolCalls, factor }: CostInput): CostResult {
  const flags: string[] = [];
  const buckets: Record<string, BucketCost> = {};
  const totalInput = inputTotalOf(usage);
  let total = ZERO;
  const origins = new Set<PriceOrigin>();
  let contextTier: PriceTier | undefined;
  const missing: string[] = [];

  for (const b of TOKEN_BUCKETS) {
    const tokens = b.tokens(usage, table);
    if (tokens === 0) continue;
    const key = b.keys.find((k) => table.has(k));
    const entry = key === undefined ? undefined : table.get(key);
    if (key === undefined || entry === undefined) {
      missing.push(b.name);
      continue;
    }
    const at = priceAt(entry, totalInput);
    if (at.tier !== undefined && (contextTier === undefined || at.tier.start > contextTier.start)) {
      contextTier = at.tier;
    }
    let point: PricePoint = at.point;
    if (serviceTier.kind === 'replace') {
      const replacement = serviceTier.prices[key];
      if (replacement !== undefined) point = { price: replacement, origin: 'costline-overrides' };
    }
    let price = point.price;
    if (serviceTier.kind === 'factor') price = price.mul(serviceTier.factor);
    if (factor !== undefined) price = price.mul(factor);
    origins.add(point.origin);
    // An unpriced service tier changes no price, so it does not make the source an override.
    if (serviceTier.kind === 'factor') origins.add('costline-overrides');
    const { cost, out } = bucket(tokens, price);
    buckets[b.name] = out;
    total = total.add(cost);
  }

  if (table.has('requests_kcount')) {
    const fee = table.get('requests_kcount');
    if (fee !== undefined) {
      origins.add(fee.base.origin);
      const { cost, out } = bucket(1, adjusted(fee.base.price.mul(1000), factor));
      buckets['request'] = out;
      total = total.add(cost);
    }
  }

  for (const [tool, calls] of Object.entries(toolCalls)) {
    if (calls === 0) continue;
    const key = toolPriceKey(tool);
    const fee = key === undefined ? undefined : table.get(key);
    if (fee === undefined) {
      flags.push(`unpriced_tool:${tool}`);
      continue;
    }
    origins.add(fee.base.origin);
    const { cost, out } = bucket(calls, adjusted(fee.base.price.mul(1000), factor));
    buckets[`tool:${tool}`] = out;
    total = total.add(cost);
  }

  const tierParts: string[] = [];
  if (serviceTier.kind === 'factor' || serviceTier.kind === 'replace') tierParts.push(serviceTier.name);
  if (serviceTier.kind === 'unpriced') flags.push(serviceTier.flag);
  if (contextTier !== undefined) tierParts.push(contextTier.name);
  const tier = tierParts.length === 0 ? 'standard' : tierParts.join('+');

  if (missing.length > 0) {
    for (const name of missing) flags.push(`no_price:${name}`);
    return { priced: false, costUsd: '0', buckets: {}, tier, origins: [...origins], flags };
  }
  return { priced: true, costUsd: formatUsd(total), buckets, tier, origins: [...origins], flags };
}
