/**
 * LiteLLM price-file import: a realistic excerpt of `model_prices_and_context_window.json` becomes a
 * valid price book whose prices reproduce the shared pricing cases (tiers and 1-hour writes included).
 */

import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { createPricer, importLitellm, parsePriceBook, priceJson } from '../src/index.ts';
import { PRICING_CASES } from './support/fixtures.ts';

const EXCERPT = readFileSync(new URL('./fixtures/litellm-excerpt.json', import.meta.url), 'utf8');

describe('importLitellm', () => {
  const result = importLitellm(EXCERPT, 'litellm-excerpt.json');
  const book = parsePriceBook(result.text, 'imported.yaml');

  it('imports the per-token models and says what it skipped and why', () => {
    expect(result.imported).toBe(9);
    expect(result.skipped).toEqual([
      { key: 'dall-e-3', reason: 'no per-token price' },
      { key: 'whisper-1', reason: 'no per-token price' },
      { key: 'openai/gpt-4o', reason: 'duplicate of an earlier openai/gpt-4o' },
    ]);
    expect(book.version).toMatch(/^litellm-[0-9a-f]{12}$/);
    const ids = book.models.map((m) => `${m.provider}/${m.model}`);
    expect(ids).toContain('azure/gpt-4o-2024-08-06');
    expect(ids).toContain('google/claude-sonnet-4-5@20250929');
    expect(ids).toContain('google/gemini-2.5-flash');
    expect(ids).toContain('aws/us.anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(ids).toContain('groq/llama-3.3-70b-versatile');
  });

  it('converts per-token prices exactly, and *_above_200k_tokens into a tier', () => {
    const sonnet = book.models.find((m) => m.model === 'claude-sonnet-4-5-20250929');
    const get = (k: string) => sonnet?.prices.get(k);
    expect(get('input_mtok')?.base.price.toFixed()).toBe('3');
    expect(get('cache_read_mtok')?.base.price.toFixed()).toBe('0.3');
    expect(get('cache_write_1h_mtok')?.base.price.toFixed()).toBe('6');
    expect(get('output_mtok')?.tiers.map((t) => [t.start, t.price.toFixed()])).toEqual([[200000, '22.5']]);
    expect(get('cache_read_mtok')?.tiers.map((t) => [t.start, t.price.toFixed()])).toEqual([[200000, '0.6']]);
  });

  it('prices the shared Claude Sonnet 4.5 cases with the imported book alone', () => {
    const pricer = createPricer({ priceBook: book });
    const sonnetCases = PRICING_CASES.cases.filter((c) => c.model === 'claude-sonnet-4-5-20250929');
    expect(sonnetCases.length).toBeGreaterThanOrEqual(4);
    for (const c of sonnetCases) {
      const out = priceJson({ provider: c.provider, model: c.model, time: c.time, usage: c.usage }, pricer);
      expect(out.source, c.id).toBe('price-book');
      expect(new Decimal(out.cost_usd).equals(String(c.expect['cost_usd'])), `${c.id}: ${out.cost_usd}`).toBe(
        true,
      );
    }
  });

  it('leaves out a model with a price that is none (negative, not a number), saying which field', () => {
    const text = JSON.stringify({
      'gpt-x': { litellm_provider: 'openai', input_cost_per_token: 1e-6, output_cost_per_token: -2e-6 },
      'gpt-y': { litellm_provider: 'openai', input_cost_per_token: '0.000001', output_cost_per_token: 2e-6 },
      'gpt-z': { litellm_provider: 'openai', input_cost_per_token: 1e-6, output_cost_per_token: null },
    }).replace('}}', '},"gpt-inf":{"litellm_provider":"openai","input_cost_per_token":1e999}}');
    const r = importLitellm(text, 'bad.json');
    expect(r.skipped).toEqual([
      { key: 'gpt-x', reason: 'output_cost_per_token is -0.000002, not a price', badPrice: true },
      { key: 'gpt-y', reason: 'input_cost_per_token is "0.000001", not a price', badPrice: true },
      // JSON.parse reads 1e999 as Infinity, which is named as such (not as JSON's null).
      { key: 'gpt-inf', reason: 'input_cost_per_token is Infinity, not a price', badPrice: true },
    ]);
    // null is an absent price, as LiteLLM writes one: the model comes in with its input price.
    expect(r.imported).toBe(1);
    expect(parsePriceBook(r.text, 'bad.yaml').models.map((m) => m.model)).toEqual(['gpt-z']);
  });

  it('dates every entry with --effective-from', () => {
    const dated = parsePriceBook(importLitellm(EXCERPT, 'x', '2026-10-01').text);
    expect(new Set(dated.models.map((m) => m.from))).toEqual(new Set([Date.parse('2026-10-01T00:00:00Z')]));
  });

  it('refuses a file that is not a JSON object, naming it', () => {
    expect(() => importLitellm('[1, 2]', 'bad.json')).toThrow(
      'price book bad.json line 1, (root): must be a JSON object of model entries',
    );
  });
});
