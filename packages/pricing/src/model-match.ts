/**
 * Resolves a (provider, model) pair to a model of the genai-prices data.
 *
 * genai-prices itself takes the FIRST model whose match rule accepts the name, so its data order
 * decides between overlapping rules. Here every model of the provider is scored and the most specific
 * rule wins: an `equals` beats any prefix, and a longer `starts_with`/`contains` beats a shorter one —
 * a dated `gpt-4o-mini-2024-07-18` can never be priced as `gpt-4o`. Ties keep the data order.
 *
 * @module
 */

import { findProvider } from '@pydantic/genai-prices';
import type { MatchLogic, ModelInfo, Provider } from '@pydantic/genai-prices';
import { genaiPricesProviderId, isRouter, splitVendorPrefix } from './provider-names.ts';

export interface ResolvedModel {
  provider: Provider;
  model: ModelInfo;
  /** Flags about how the model was found, e.g. `provider_inferred_from_model`. */
  flags: string[];
}

const EXACT = 1_000_000;
const regexes = new Map<string, RegExp>();

function regex(source: string): RegExp {
  let re = regexes.get(source);
  if (re === undefined) {
    re = new RegExp(source);
    regexes.set(source, re);
  }
  return re;
}

/**
 * How specifically `logic` matches `name` (already lower-case): undefined for no match, otherwise
 * the length of the literal that matched (`equals` scores above any literal). Same semantics as
 * genai-prices' own matcher.
 */
export function matchScore(logic: MatchLogic, name: string): number | undefined {
  if ('or' in logic) {
    let best: number | undefined;
    for (const branch of logic.or) {
      const s = matchScore(branch, name);
      if (s !== undefined && (best === undefined || s > best)) best = s;
    }
    return best;
  }
  if ('and' in logic) {
    let sum = 0;
    for (const branch of logic.and) {
      const s = matchScore(branch, name);
      if (s === undefined) return undefined;
      sum += s;
    }
    return sum;
  }
  if ('equals' in logic) return name === logic.equals.toLowerCase() ? EXACT : undefined;
  if ('starts_with' in logic) {
    return name.startsWith(logic.starts_with.toLowerCase()) ? logic.starts_with.length : undefined;
  }
  if ('ends_with' in logic)
    return name.endsWith(logic.ends_with.toLowerCase()) ? logic.ends_with.length : undefined;
  if ('contains' in logic)
    return name.includes(logic.contains.toLowerCase()) ? logic.contains.length : undefined;
  if ('regex' in logic) {
    const m = regex(logic.regex).exec(name);
    return m === null ? undefined : m[0].length;
  }
  return undefined;
}

function bestModel(provider: Provider, name: string): ModelInfo | undefined {
  let best: ModelInfo | undefined;
  let bestScore = -1;
  for (const model of provider.models) {
    const s = matchScore(model.match, name);
    if (s !== undefined && s > bestScore) {
      best = model;
      bestScore = s;
    }
  }
  return best;
}

/** `claude-3-5-sonnet-20241022` → `claude-3-5-sonnet-2024-10-22`, as genai-prices retries. */
function dashDates(name: string): string {
  return name.replace(/(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g, '$1$2-$3-$4');
}

const providerCache = new Map<string, Provider | undefined>();

function provider(id: string): Provider | undefined {
  if (!providerCache.has(id)) providerCache.set(id, findProvider({ providerId: id }));
  return providerCache.get(id);
}

/** The model in `p` (or in the providers it falls back to, e.g. Azure → OpenAI) for `name`. */
function resolveIn(p: Provider, name: string): { provider: Provider; model: ModelInfo } | undefined {
  const names = dashDates(name) === name ? [name] : [name, dashDates(name)];
  for (const n of names) {
    const model = bestModel(p, n);
    if (model !== undefined) return { provider: p, model };
  }
  for (const fallbackId of p.fallback_model_providers ?? []) {
    const fallback = provider(fallbackId);
    const found = fallback === undefined ? undefined : resolveIn(fallback, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Finds the genai-prices model for a call. Routers (`openrouter`, `litellm`, …) with a vendor-prefixed
 * model (`openai/gpt-4o-mini`) resolve at the vendor; a router model without a prefix is matched to a
 * provider by its name. Returns undefined for an unknown provider or model.
 */
export function resolveModel(providerName: string, modelName: string): ResolvedModel | undefined {
  const name = modelName.trim().toLowerCase();
  if (name === '') return undefined;
  const router = isRouter(providerName);
  if (router) {
    const vendor = splitVendorPrefix(name);
    const vendorProvider = vendor === undefined ? undefined : provider(vendor.providerId);
    const viaVendor =
      vendor === undefined || vendorProvider === undefined
        ? undefined
        : resolveIn(vendorProvider, vendor.model);
    if (viaVendor !== undefined) return { ...viaVendor, flags: [] };
  }
  const own = provider(genaiPricesProviderId(providerName));
  if (own !== undefined) {
    const found =
      resolveIn(own, name) ??
      (name.includes('/') ? resolveIn(own, name.slice(name.lastIndexOf('/') + 1)) : undefined);
    if (found !== undefined) return { ...found, flags: [] };
  }
  if (router && !name.includes('/')) {
    const inferred = findProvider({ modelId: name });
    const found = inferred === undefined ? undefined : resolveIn(inferred, name);
    if (found !== undefined) return { ...found, flags: ['provider_inferred_from_model'] };
  }
  return undefined;
}
