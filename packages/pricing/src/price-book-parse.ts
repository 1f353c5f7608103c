/**
 * Reads and validates a price book (YAML, or JSON — YAML's subset). Every error names the line and
 * the field (`price book prices.yaml line 12, models[1].input_mtok: must be a non-negative decimal,
 * got "abc"`); nothing is half-loaded. The format is documented in packages/pricing/README.md.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { PriceBookError } from './errors.ts';
import { Dec, ONE_MILLION } from './money.ts';
import { checkKeys, date, decimal, fail, lineOf, list, str } from './price-book-fields.ts';
import type { Ctx } from './price-book-fields.ts';
import { tierName } from './price-table.ts';
import type { PriceTable, TieredPrice } from './price-table.ts';
import { genaiPricesProviderId } from './provider-names.ts';
import { describe, isRecord } from './usage.ts';

/** Price keys a book entry may set: USD per million tokens (`_mtok`) or per thousand calls (`_kcount`). */
export const PRICE_KEYS = [
  'input_mtok',
  'cache_read_mtok',
  'cache_write_mtok',
  'cache_write_1h_mtok',
  'output_mtok',
  'output_reasoning_mtok',
  'input_audio_mtok',
  'output_audio_mtok',
  'requests_kcount',
  'web_searches_kcount',
  'storage_searches_kcount',
  'social_searches_kcount',
] as const;

const TOKEN_PRICE_KEYS = PRICE_KEYS.filter((k) => k.endsWith('_mtok'));

export interface BookModel {
  /** genai-prices provider id (or the book's own name, e.g. `self-hosted`). */
  provider: string;
  /** Lower-case model name. */
  model: string;
  match: 'exact' | 'prefix';
  /** Epoch ms (UTC midnight) from which the entry applies; -Infinity when not given. */
  from: number;
  /** Epoch ms (UTC midnight) before which it applies; +Infinity when not given. */
  to: number;
  prices: PriceTable;
  /** Prices spread from a GPU-hour cost: estimates, flagged on every call. */
  estimated: boolean;
  line: number;
}

export interface BookAlias {
  /** genai-prices provider id the alias is scoped to, or undefined for any provider. */
  provider: string | undefined;
  /** Lower-case name as spans carry it (an Azure deployment, a self-hosted served name). */
  name: string;
  model: string;
  /** Provider to price the target at, when it differs (an Azure deployment of an OpenAI model). */
  targetProvider: string | undefined;
}

export interface BookAdjustment {
  provider: string | undefined;
  /** Lower-case model, or a prefix ending in `*`. */
  model: string | undefined;
  region: string | undefined;
  /** Multiplier on every price: 1 − discount, 1 + markup or uplift. */
  factor: Dec;
  kind: 'discount' | 'markup' | 'uplift';
  from: number;
  to: number;
}

export interface PriceBook {
  /** The book's `version`, or the first 12 hex digits of its SHA-256 when it declares none. */
  version: string;
  models: BookModel[];
  aliases: BookAlias[];
  adjustments: BookAdjustment[];
}

function parsePrices(ctx: Ctx, obj: Record<string, unknown>, path: (string | number)[]): PriceTable {
  const table: PriceTable = new Map();
  for (const key of PRICE_KEYS) {
    if (obj[key] === undefined || obj[key] === null) continue;
    table.set(key, {
      base: { price: decimal(ctx, obj[key], [...path, key]), origin: 'price-book' },
      tiers: [],
    });
  }
  const tiers = obj['tiers'];
  if (tiers === undefined || tiers === null) return table;
  if (!Array.isArray(tiers)) fail(ctx, [...path, 'tiers'], `must be a list, got ${describe(tiers)}`);
  let previous = -1;
  tiers.forEach((tier: unknown, i) => {
    const at = [...path, 'tiers', i];
    if (!isRecord(tier)) fail(ctx, at, `must be a mapping, got ${describe(tier)}`);
    checkKeys(ctx, tier, at, ['above_input_tokens', ...PRICE_KEYS]);
    const start = tier['above_input_tokens'];
    if (typeof start !== 'number' || !Number.isSafeInteger(start) || start <= 0) {
      fail(ctx, [...at, 'above_input_tokens'], `must be a positive integer, got ${describe(start)}`);
    }
    if (start <= previous) fail(ctx, [...at, 'above_input_tokens'], 'tiers must be in ascending order');
    previous = start;
    let any = false;
    for (const key of PRICE_KEYS) {
      if (tier[key] === undefined || tier[key] === null) continue;
      any = true;
      const entry: TieredPrice | undefined = table.get(key);
      if (entry === undefined) fail(ctx, [...at, key], `the entry has no base ${key} for this tier to raise`);
      const price = decimal(ctx, tier[key], [...at, key]);
      entry.tiers.push({ start, name: tierName(start), price, origin: 'price-book' });
    }
    if (!any) fail(ctx, at, 'a tier must set at least one price');
  });
  return table;
}

/** Per-token prices from a GPU-hour: `usd_per_gpu_hour × gpus ÷ tokens_per_hour`, every token alike. */
function gpuHourPrices(ctx: Ctx, value: unknown, path: (string | number)[]): PriceTable {
  if (!isRecord(value)) fail(ctx, path, `must be a mapping, got ${describe(value)}`);
  checkKeys(ctx, value, path, ['usd_per_gpu_hour', 'gpus', 'tokens_per_hour']);
  const perHour = decimal(ctx, value['usd_per_gpu_hour'], [...path, 'usd_per_gpu_hour']);
  const gpus = value['gpus'] ?? 1;
  if (typeof gpus !== 'number' || !Number.isSafeInteger(gpus) || gpus <= 0) {
    fail(ctx, [...path, 'gpus'], `must be a positive integer, got ${describe(gpus)}`);
  }
  const throughput = value['tokens_per_hour'];
  if (typeof throughput !== 'number' || !Number.isSafeInteger(throughput) || throughput <= 0) {
    fail(ctx, [...path, 'tokens_per_hour'], `must be a positive integer, got ${describe(throughput)}`);
  }
  const perMtok = perHour.mul(gpus).mul(ONE_MILLION).div(throughput);
  const table: PriceTable = new Map();
  for (const key of ['input_mtok', 'output_mtok']) {
    table.set(key, { base: { price: perMtok, origin: 'price-book' }, tiers: [] });
  }
  return table;
}

const MODEL_KEYS = [
  'provider',
  'model',
  'match',
  'effective_from',
  'effective_to',
  'gpu_hour',
  'tiers',
  ...PRICE_KEYS,
];

function parseModel(ctx: Ctx, obj: Record<string, unknown>, i: number): BookModel {
  const path = ['models', i];
  checkKeys(ctx, obj, path, MODEL_KEYS);
  const provider = genaiPricesProviderId(str(ctx, obj, path, 'provider', true));
  const model = str(ctx, obj, path, 'model', true).toLowerCase();
  const match = str(ctx, obj, path, 'match') ?? 'exact';
  if (match !== 'exact' && match !== 'prefix')
    fail(ctx, [...path, 'match'], `must be exact or prefix, got ${JSON.stringify(match)}`);
  const from = date(ctx, obj, path, 'effective_from', -Infinity);
  const to = date(ctx, obj, path, 'effective_to', Infinity);
  if (to <= from) fail(ctx, [...path, 'effective_to'], 'must be after effective_from');
  const gpu = obj['gpu_hour'];
  let prices: PriceTable;
  if (gpu !== undefined && gpu !== null) {
    const perToken = TOKEN_PRICE_KEYS.find((k) => obj[k] !== undefined);
    if (perToken !== undefined)
      fail(ctx, [...path, perToken], 'give either gpu_hour or per-token prices, not both');
    if (obj['tiers'] !== undefined) fail(ctx, [...path, 'tiers'], 'a gpu_hour price has no tiers');
    prices = gpuHourPrices(ctx, gpu, [...path, 'gpu_hour']);
  } else {
    prices = parsePrices(ctx, obj, path);
  }
  if (prices.size === 0) fail(ctx, path, 'sets no price (give e.g. input_mtok and output_mtok, or gpu_hour)');
  return {
    provider,
    model,
    match,
    from,
    to,
    prices,
    estimated: gpu !== undefined && gpu !== null,
    line: lineOf(ctx, path),
  };
}

function parseAlias(ctx: Ctx, obj: Record<string, unknown>, i: number): BookAlias {
  const path = ['aliases', i];
  checkKeys(ctx, obj, path, ['provider', 'name', 'model', 'target_provider']);
  const provider = str(ctx, obj, path, 'provider');
  const target = str(ctx, obj, path, 'target_provider');
  return {
    provider: provider === undefined ? undefined : genaiPricesProviderId(provider),
    name: str(ctx, obj, path, 'name', true).toLowerCase(),
    model: str(ctx, obj, path, 'model', true),
    targetProvider: target,
  };
}

function parseAdjustment(ctx: Ctx, obj: Record<string, unknown>, i: number): BookAdjustment {
  const path = ['adjustments', i];
  checkKeys(ctx, obj, path, [
    'provider',
    'model',
    'region',
    'discount_pct',
    'markup_pct',
    'uplift_pct',
    'effective_from',
    'effective_to',
  ]);
  const kinds = (['discount', 'markup', 'uplift'] as const).filter((k) => obj[`${k}_pct`] !== undefined);
  if (kinds.length !== 1) fail(ctx, path, 'must set exactly one of discount_pct, markup_pct, uplift_pct');
  const kind = kinds[0] ?? 'discount';
  const pct = decimal(ctx, obj[`${kind}_pct`], [...path, `${kind}_pct`]);
  if (kind === 'discount' && pct.gt(100))
    fail(ctx, [...path, 'discount_pct'], `must be at most 100, got ${pct.toFixed()}`);
  const share = pct.div(100);
  const provider = str(ctx, obj, path, 'provider');
  const region = str(ctx, obj, path, 'region');
  if (kind === 'uplift' && region === undefined)
    fail(ctx, [...path, 'region'], 'an uplift applies to a region: required');
  const from = date(ctx, obj, path, 'effective_from', -Infinity);
  const to = date(ctx, obj, path, 'effective_to', Infinity);
  if (to <= from) fail(ctx, [...path, 'effective_to'], 'must be after effective_from');
  return {
    provider: provider === undefined ? undefined : genaiPricesProviderId(provider),
    model: str(ctx, obj, path, 'model')?.toLowerCase(),
    region: region?.toLowerCase(),
    factor: kind === 'discount' ? new Dec(1).sub(share) : new Dec(1).add(share),
    kind,
    from,
    to,
  };
}

/**
 * Parses a price book. `name` (a file path) appears in errors. Throws {@link PriceBookError}.
 */
export function parsePriceBook(text: string, name = 'price book'): PriceBook {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const ctx: Ctx = { name, lines, doc };
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const line = lines.linePos(syntax.pos[0]).line;
    throw new PriceBookError(
      'invalid_price_book',
      name,
      line,
      '(syntax)',
      syntax.message.split('\n')[0] ?? '',
    );
  }
  if (doc.contents !== null && !isMap(doc.contents))
    fail(ctx, [], 'the book must be a mapping with models, aliases, adjustments');
  const root: unknown = doc.toJS() ?? {};
  if (!isRecord(root)) fail(ctx, [], 'the book must be a mapping');
  checkKeys(ctx, root, [], ['version', 'models', 'aliases', 'adjustments']);
  for (const key of ['models', 'aliases', 'adjustments']) {
    const node = doc.get(key, true);
    if (node !== undefined && node !== null && !isSeq(node)) fail(ctx, [key], 'must be a list');
  }
  const declared = root['version'];
  if (declared !== undefined && typeof declared !== 'string' && typeof declared !== 'number') {
    fail(ctx, ['version'], `must be a string, got ${describe(declared)}`);
  }
  const version =
    declared === undefined ? createHash('sha256').update(text).digest('hex').slice(0, 12) : String(declared);
  const models = list(ctx, root, 'models').map((m, i) => parseModel(ctx, m, i));
  const seen = new Map<string, BookModel>();
  for (const m of models) {
    const key = `${m.provider}\n${m.model}\n${m.match}\n${m.from}`;
    const other = seen.get(key);
    if (other !== undefined) {
      throw new PriceBookError(
        'invalid_price_book',
        name,
        m.line,
        `models (${m.provider}/${m.model})`,
        `same model and effective_from as the entry on line ${other.line}`,
      );
    }
    seen.set(key, m);
  }
  return {
    version,
    models,
    aliases: list(ctx, root, 'aliases').map((a, i) => parseAlias(ctx, a, i)),
    adjustments: list(ctx, root, 'adjustments').map((a, i) => parseAdjustment(ctx, a, i)),
  };
}

/** An empty book (what the pricer uses without `COSTLINE_PRICE_BOOK`). */
export function emptyPriceBook(): PriceBook {
  return { version: '', models: [], aliases: [], adjustments: [] };
}
