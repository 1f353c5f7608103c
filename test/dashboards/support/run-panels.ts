/**
 * Runs dashboard SQL on chDB the way Grafana would send it: variable options from the boards' own
 * variable queries (so "All" is what Grafana would list), then each panel expanded for its time
 * range (a panel's relative-time override applied) and interval.
 *
 * @module
 */

import type { PanelSpec } from '@costline/dashboards';
import { VARIABLES } from '@costline/dashboards';
import { rows } from '../../support/store.ts';
import { expandPanelSql } from './expand.ts';
import type { ExpandContext, VariableState } from './expand.ts';

export type Selections = Partial<Record<'service' | 'surface' | 'customer' | 'model', 'all' | string[]>>;

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `7d`, `1h`, `180d` → ms. */
export function durationMs(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text);
  const unit = m ? UNIT_MS[m[2] ?? ''] : undefined;
  if (!m || unit === undefined) throw new Error(`unsupported duration ${text}`);
  return Number(m[1]) * unit;
}

/** Resolves every variable in board order; each query sees the selections before it. */
export async function resolveVariables(
  selections: Selections,
  from: Date,
  to: Date,
): Promise<Record<string, VariableState>> {
  const state: Record<string, VariableState> = {};
  for (const v of VARIABLES) {
    const sql = expandPanelSql(v.sql, { from, to, intervalMs: 60_000, variables: state });
    const options = (await rows<Record<string, string>>(sql)).map((r) => String(Object.values(r)[0]));
    state[v.name] = { selected: selections[v.name] ?? 'all', options };
  }
  return state;
}

/** The time range and interval Grafana would give this panel on a board showing [from, to]. */
export function panelContext(
  spec: PanelSpec,
  from: Date,
  to: Date,
  variables: Record<string, VariableState>,
): ExpandContext {
  const panelFrom = spec.timeFrom ? new Date(to.getTime() - durationMs(spec.timeFrom)) : from;
  // Grafana: range ÷ max data points, never below the panel's minimum interval.
  const auto = Math.max(1_000, Math.floor((to.getTime() - panelFrom.getTime()) / 1_000));
  const intervalMs = Math.max(auto, spec.interval ? durationMs(spec.interval) : 0);
  return { from: panelFrom, to, intervalMs, variables };
}

export async function runPanel<T = Record<string, unknown>>(
  spec: PanelSpec,
  from: Date,
  to: Date,
  variables: Record<string, VariableState>,
): Promise<{ sql: string; rows: T[] }> {
  const sql = expandPanelSql(spec.sql, panelContext(spec, from, to, variables));
  return { sql, rows: await rows<T>(sql) };
}
