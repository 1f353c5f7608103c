/**
 * The cost breakdown of one call: each non-zero bucket at its price, summed exactly and rounded once
 * (half-even, 12 places) into strings.
 *
 * Two exact paths give the same strings: prices with at most six decimal places (every list price)
 * are integer mantissas, so `tokens × mantissa` is an exact integer at scale `price scale + 6 ≤ 12`
 * and needs no rounding at all; anything else (a product beyond 2^53, a price with more decimals
 * after a discount) goes through decimal.js at 60 digits.
 *
 * @module
 */

import { ONE_MILLION, ZERO, formatUsd } from './money.ts';
import type { PriceOrigin } from './price-table.ts';

/** Bit of each price origin in {@link CostResult.origins}. */
export const ORIGIN_BIT: Readonly<Record<PriceOrigin, number>> = {
  'genai-prices': 1,
  'costline-overrides': 2,
  'price-book': 4,
};
import type { RatedPrice, RatedTable } from './rated-table.ts';
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
  tokens: (u: Usage, reasoningPriced: boolean) => number;
  /** Price keys to try in order: the bucket's own, then the ancestor genai-prices would charge it at. */
  keys: readonly string[];
}

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
    tokens: (u, r) => (r ? u.outputTokens - Math.min(u.reasoningTokens, u.outputTokens) : u.outputTokens),
    keys: ['output_mtok'],
  },
  {
    name: 'output_reasoning',
    tokens: (u, r) => (r ? Math.min(u.reasoningTokens, u.outputTokens) : 0),
    keys: ['output_reasoning_mtok'],
  },
  { name: 'input_audio', tokens: (u) => u.inputAudioTokens, keys: ['input_audio_mtok', 'input_mtok'] },
  { name: 'output_audio', tokens: (u) => u.outputAudioTokens, keys: ['output_audio_mtok', 'output_mtok'] },
];

export interface CostInput {
  rated: RatedTable;
  usage: Usage;
  toolCalls: Readonly<Record<string, number>>;
}

export interface CostResult {
  priced: boolean;
  costUsd: string;
  buckets: Record<string, BucketCost>;
  tier: string;
  /** Where the prices used came from, as bits of {@link ORIGIN_BIT} (a service-tier discount counts as `costline-overrides`). */
  origins: number;
  flags: string[];
}

interface Line {
  name: string;
  tokens: number;
  price: RatedPrice;
}

/** An integer `u` at `scale` decimals as a plain decimal string, trailing zeros trimmed. */
function scaled(u: number, scale: number): string {
  if (u === 0) return '0';
  let digits = String(u);
  if (scale === 0) return digits;
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  const int = digits.slice(0, digits.length - scale);
  let end = digits.length;
  while (end > int.length && digits.charCodeAt(end - 1) === 48) end--;
  return end === int.length ? int : `${int}.${digits.slice(int.length, end)}`;
}

const POW10 = Array.from({ length: 13 }, (_, i) => 10 ** i);

/** The integer path; undefined when a product or the sum would leave the safe integers. */
function fastTotal(lines: readonly Line[], buckets: Record<string, BucketCost>): string | undefined {
  let scale = 0;
  for (const l of lines) {
    if (!l.price.fast) return undefined;
    if (l.price.s + 6 > scale) scale = l.price.s + 6;
  }
  let total = 0;
  for (const l of lines) {
    const units = l.tokens * l.price.m;
    const atScale = units * (POW10[scale - l.price.s - 6] ?? NaN);
    if (!Number.isSafeInteger(atScale)) return undefined;
    total += atScale;
    if (!Number.isSafeInteger(total)) return undefined;
    buckets[l.name] = { tokens: l.tokens, usdPerMtok: l.price.text, costUsd: scaled(units, l.price.s + 6) };
  }
  return scaled(total, scale);
}

function decimalTotal(lines: readonly Line[], buckets: Record<string, BucketCost>): string {
  let total = ZERO;
  for (const l of lines) {
    const cost = l.price.dec.mul(l.tokens).div(ONE_MILLION);
    buckets[l.name] = { tokens: l.tokens, usdPerMtok: l.price.text, costUsd: formatUsd(cost) };
    total = total.add(cost);
  }
  return formatUsd(total);
}

/** Prices `usage` (and tool calls) with a rated table. Never throws. */
export function computeCost({ rated, usage, toolCalls }: CostInput): CostResult {
  const flags: string[] = [];
  const totalInput = inputTotalOf(usage);
  let origins = rated.tierFactorApplied ? ORIGIN_BIT['costline-overrides'] : 0;
  let contextTier: { start: number; name: string } | undefined;
  const missing: string[] = [];
  const lines: Line[] = [];

  for (const b of TOKEN_BUCKETS) {
    const tokens = b.tokens(usage, rated.reasoningPriced);
    if (tokens === 0) continue;
    let entry;
    for (const k of b.keys) {
      entry = rated.entries.get(k);
      if (entry !== undefined) break;
    }
    if (entry === undefined) {
      missing.push(b.name);
      continue;
    }
    // Tiers are decided on the total input of the request (strictly above the start), for every bucket.
    let price = entry.base;
    for (const t of entry.tiers) {
      if (totalInput > t.start) {
        price = t.price;
        if (contextTier === undefined || t.start > contextTier.start) contextTier = t;
      }
    }
    origins |= ORIGIN_BIT[price.origin];
    lines.push({ name: b.name, tokens, price });
  }

  const request = rated.entries.get('requests_kcount');
  if (request !== undefined) {
    origins |= ORIGIN_BIT[request.base.origin];
    lines.push({ name: 'request', tokens: 1, price: request.base });
  }

  for (const tool in toolCalls) {
    const calls = toolCalls[tool];
    if (calls === undefined || calls === 0) continue;
    const key = toolPriceKey(tool);
    const fee = key === undefined ? undefined : rated.entries.get(key);
    if (fee === undefined) {
      flags.push(`unpriced_tool:${tool}`);
      continue;
    }
    origins |= ORIGIN_BIT[fee.base.origin];
    lines.push({ name: `tool:${tool}`, tokens: calls, price: fee.base });
  }

  const rule = rated.rule;
  let tier = rule.kind === 'factor' || rule.kind === 'replace' ? rule.name : '';
  if (rule.kind === 'unpriced') flags.push(rule.flag);
  if (contextTier !== undefined) tier = tier === '' ? contextTier.name : `${tier}+${contextTier.name}`;
  if (tier === '') tier = 'standard';

  if (missing.length > 0) {
    for (const name of missing) flags.push(`no_price:${name}`);
    return { priced: false, costUsd: '0', buckets: {}, tier, origins, flags };
  }
  let buckets: Record<string, BucketCost> = {};
  let costUsd = fastTotal(lines, buckets);
  if (costUsd === undefined) {
    buckets = {};
    costUsd = decimalTotal(lines, buckets);
  }
  return { priced: true, costUsd, buckets, tier, origins, flags };
}
