/**
 * Converts LiteLLM's `model_prices_and_context_window.json` (USD per token, one entry per model,
 * `litellm_provider` naming the provider) into a Costline price book (USD per million tokens).
 *
 * Per-token prices are converted in exact decimals from the literal in the file (`2.5e-06` → `2.5`).
 * `*_above_<N>k_tokens` prices become tiers above N×1000 total input tokens; `_above_1hr` cache
 * writes become `cache_write_1h_mtok`. Batch prices are not imported: the pricer applies the batch
 * discount itself. Entries without a per-token price (images per pixel, audio per second, …) are
 * skipped and counted in the summary.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { PriceBookError } from './errors.ts';
import { Dec, ONE_MILLION } from './money.ts';
import { isRecord } from './usage.ts';

/** LiteLLM `litellm_provider` → the provider name Costline's price book uses. */
const PROVIDERS: Readonly<Record<string, string>> = {
  openai: 'openai',
  text_completion_openai: 'openai',
  azure: 'azure',
  azure_ai: 'azure',
  anthropic: 'anthropic',
  gemini: 'google',
  vertex_ai: 'google',
  'vertex_ai-language-models': 'google',
  'vertex_ai-anthropic_models': 'google',
  'vertex_ai-embedding-models': 'google',
  'vertex_ai-text-models': 'google',
  bedrock: 'aws',
  bedrock_converse: 'aws',
  mistral: 'mistral',
  xai: 'x-ai',
  deepseek: 'deepseek',
  groq: 'groq',
  cohere: 'cohere',
  cohere_chat: 'cohere',
  perplexity: 'perplexity',
  openrouter: 'openrouter',
};

/** LiteLLM per-token field → price-book key. */
const FIELDS: Readonly<Record<string, string>> = {
  input_cost_per_token: 'input_mtok',
  output_cost_per_token: 'output_mtok',
  cache_read_input_token_cost: 'cache_read_mtok',
  cache_creation_input_token_cost: 'cache_write_mtok',
  cache_creation_input_token_cost_above_1hr: 'cache_write_1h_mtok',
  input_cost_per_audio_token: 'input_audio_mtok',
  output_cost_per_audio_token: 'output_audio_mtok',
  output_cost_per_reasoning_token: 'output_reasoning_mtok',
};

const TIERED = /^(.*)_above_(\d+)k_tokens$/;

export interface LitellmImport {
  /** The price book, as YAML text. */
  text: string;
  imported: number;
  /** Model keys skipped, with the reason (`badPrice`: left out for a price that is none). */
  skipped: { key: string; reason: string; badPrice?: true }[];
}

/** A per-token price as USD per million tokens; undefined for a value that is no price. */
function perMtok(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  return new Dec(String(value)).mul(ONE_MILLION).toFixed();
}

/**
 * Converts the JSON text of a LiteLLM price file. `effectiveFrom` (YYYY-MM-DD) dates every entry.
 * Throws {@link PriceBookError} when the text is not a JSON object of model entries.
 */
export function importLitellm(text: string, name: string, effectiveFrom?: string): LitellmImport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PriceBookError('invalid_price_book', name, 1, '(json)', (e as Error).message, { cause: e });
  }
  if (!isRecord(data))
    throw new PriceBookError(
      'invalid_price_book',
      name,
      1,
      '(root)',
      'must be a JSON object of model entries',
    );
  const models: Record<string, unknown>[] = [];
  const skipped: LitellmImport['skipped'] = [];
  const seen = new Set<string>();
  for (const [key, entry] of Object.entries(data)) {
    if (key === 'sample_spec') continue;
    if (!isRecord(entry)) {
      skipped.push({ key, reason: 'not an object' });
      continue;
    }
    const litellmProvider = typeof entry['litellm_provider'] === 'string' ? entry['litellm_provider'] : '';
    if (litellmProvider === '') {
      skipped.push({ key, reason: 'no litellm_provider' });
      continue;
    }
    const provider = PROVIDERS[litellmProvider] ?? litellmProvider;
    // Keys repeat the provider as a route prefix (`azure/gpt-4o`, `gemini/gemini-2.5-flash`).
    const slash = key.indexOf('/');
    const route = slash > 0 ? key.slice(0, slash) : '';
    const model = (
      route !== '' && (route === litellmProvider || route in PROVIDERS) ? key.slice(slash + 1) : key
    ).toLowerCase();
    const out: Record<string, unknown> = { provider, model };
    if (effectiveFrom !== undefined) out['effective_from'] = effectiveFrom;
    const tiers = new Map<number, Record<string, string>>();
    let bad: string | undefined;
    for (const [field, value] of Object.entries(entry)) {
      const tiered = TIERED.exec(field);
      const base = tiered ? tiered[1] : field;
      const bookKey = base === undefined ? undefined : FIELDS[base];
      if (bookKey === undefined || value === null) continue;
      const price = perMtok(value);
      if (price === undefined) {
        // Dropping the one field would import the model without that price (a negative one is no
        // discount): the model is left out, and the summary says why.
        bad = `${field} is ${typeof value === 'number' ? String(value) : JSON.stringify(value)}, not a price`;
        break;
      }
      if (tiered) {
        const start = Number(tiered[2]) * 1000;
        const tier = tiers.get(start) ?? {};
        tier[bookKey] = price;
        tiers.set(start, tier);
      } else {
        out[bookKey] = price;
      }
    }
    if (bad !== undefined) {
      skipped.push({ key, reason: bad, badPrice: true });
      continue;
    }
    if (out['input_mtok'] === undefined && out['output_mtok'] === undefined) {
      skipped.push({ key, reason: 'no per-token price' });
      continue;
    }
    const usable = [...tiers].filter(([, t]) => Object.keys(t).every((k) => out[k] !== undefined));
    if (usable.length > 0) {
      out['tiers'] = usable
        .sort(([a], [b]) => a - b)
        .map(([start, t]) => ({ above_input_tokens: start, ...t }));
    }
    const id = `${provider}\n${model}`;
    if (seen.has(id)) {
      skipped.push({ key, reason: `duplicate of an earlier ${provider}/${model}` });
      continue;
    }
    seen.add(id);
    models.push(out);
  }
  const header =
    `# Converted from LiteLLM ${name} by \`costline prices import-litellm\`.\n` +
    '# USD per million tokens; see packages/pricing/README.md for the price book format.\n';
  return {
    text:
      header +
      stringify({
        version: `litellm-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`,
        models,
      }),
    imported: models.length,
    skipped,
  };
}
