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
  const bump = (key: string, pico: bigint): void => {
    const m = means.get(key) ?? { totalPico: 0n, count: 0n };
    if (m.count >= BigInt(window)) {
      // Decay: keep the mean, halve the weight of the history.
      m.totalPico /= 2n;
      m.count /= 2n;
    }
    m.totalPico += pico;
    m.count += 1n;
    means.set(key, m);
  };
  return {
    observe(row) {
      if (!row.priced || row.app_cache_hit || row.status !== 'ok') return;
      const pico = usdToPico(row.cost_usd);
      for (const model of new Set([row.request_model, row.response_model])) {
        if (!model) continue;
        bump(`${row.surface}\u0000${model}`, pico);
        bump(`\u0000${model}`, pico);
      }
    },
    estimate(surface, model) {
      const m = means.get(`${surface}\u0000${model}`) ?? means.get(`\u0000${model}`);
      return picoToUsd(m && m.count > 0n ? m.totalPico / m.count : 0n);
    },
  };
}
