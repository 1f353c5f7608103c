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
  const means = new Map<string, Mean>();
  const full = BigInt(window);
  const bump = (key: string, pico: bigint): void => {
    let m = means.get(key);
    if (m === undefined) {
      m = { totalPico: 0n, count: 0n };
      means.set(key, m);
    }
    if (m.count >= full) {
      // Decay: keep the mean, halve the weight of the history.
      m.totalPico /= 2n;
      m.count /= 2n;
    }
    m.totalPico += pico;
    m.count += 1n;
  };
  return {
    observe(row) {
      if (!row.priced || row.app_cache_hit || row.status !== 'ok') return;
      const pico = usdToPico(row.cost_usd);
      const bumpModel = (model: string): void => {
        if (!model) return;
        bump(`${row.surface}\u0000${model}`, pico);
        bump(`\u0000${model}`, pico);
      };
      bumpModel(row.request_model);
      if (row.response_model !== row.request_model) bumpModel(row.response_model);
    },
    estimate(surface, model) {
      const m = means.get(`${surface}\u0000${model}`) ?? means.get(`\u0000${model}`);
      return picoToUsd(m && m.count > 0n ? m.totalPico / m.count : 0n);
    },
  };
}
