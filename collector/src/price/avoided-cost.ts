/**
 * Estimates what an app-cache hit or early exit saved: the mean cost of recent priced calls to the
 * model it replaced, on the same surface when there are some, else on any surface.
 *
 * @module
 */

import { picoToUsd, usdToPico } from '../store/money.ts';
import type { LlmCallRow } from '../store/rows.ts';

interface Mean {
  totalPico: bigint;
  count: bigint;
}

export interface AvoidedCostEstimator {
  observe(row: LlmCallRow): void;
  estimate(surface: string, model: string): string;
}

/** `window` bounds how many recent calls each mean is over, so the estimate follows price changes. */
export function createAvoidedCostEstimator(window = 500): AvoidedCostEstimator {
  /** surface → model → mean, and model → mean over every surface. */
  const bySurface = new Map<string, Map<string, Mean>>();
  const anySurface = new Map<string, Mean>();
  const full = BigInt(window);
  const bump = (means: Map<string, Mean>, model: string, pico: bigint): void => {
    let m = means.get(model);
    if (m === undefined) {
      m = { totalPico: 0n, count: 0n };
      means.set(model, m);
    }
    if (m.count >= full) {
      // Decay: keep the mean, halve the weight of the history.
      m.totalPico /= 2n;
      m.count /= 2n;
    }
    m.totalPico += pico;
    m.count += 1n;
  };
  /** The model's mean on the surface, and over every surface. */
  const bumpModel = (surface: Map<string, Mean>, model: string, pico: bigint): void => {
    bump(surface, model, pico);
    bump(anySurface, model, pico);
  };
  return {
    observe(row) {
      if (!row.priced || row.app_cache_hit || row.status !== 'ok') return;
      const pico = usdToPico(row.cost_usd);
      let surface = bySurface.get(row.surface);
      if (surface === undefined) {
        surface = new Map();
        bySurface.set(row.surface, surface);
      }
      // The request model, and the response model when it is another.
      if (row.request_model) bumpModel(surface, row.request_model, pico);
      if (row.response_model && row.response_model !== row.request_model)
        bumpModel(surface, row.response_model, pico);
    },
    estimate(surface, model) {
      const m = bySurface.get(surface)?.get(model) ?? anySurface.get(model);
      return picoToUsd(m && m.count > 0n ? m.totalPico / m.count : 0n);
    },
  };
}
