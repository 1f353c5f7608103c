/**
 * The dashboards' key numbers computed from the traffic plan alone, by the Contracts definitions:
 * exact money in pico-USD (bigint), counts of actions by start time and of calls by their own
 * time, percentiles by linear interpolation between closest ranks (ClickHouse's
 * `quantileExactInclusive`, numpy's default).
 *
 * @module
 */

import { SHAPES } from './traffic.ts';
import type { TrafficSet } from './traffic.ts';
import { AVOIDED } from './seed.ts';

export interface Filters {
  service?: readonly string[];
  surface?: readonly string[];
  customer?: readonly string[];
  model?: readonly string[];
}

export interface Window {
  /** ms, inclusive, as `$__timeFilter` compares (whole seconds). */
  from: number;
  to: number;
}

export interface CallFact {
  ts: number;
  service: string;
  surface: string;
  customer: string;
  model: string;
  provider: string;
  actionId: string;
  traceId: string;
  outcome: string;
  appCache: boolean;
  priced: boolean;
  failed: boolean;
  costPico: bigint;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  durationMs: number;
}

export interface ActionFact {
  ts: number;
  id: string;
  service: string;
  surface: string;
  customer: string;
  outcome: string;
  reason: string;
  durationMs: number;
  appCache: boolean;
  earlyExit: boolean;
}

export function callFacts(t: TrafficSet, traceIds: ReadonlyMap<string, string>): CallFact[] {
  const out: CallFact[] = [];
  for (const a of t.actions) {
    const base = {
      service: a.service,
      surface: a.surface,
      customer: a.customer,
      actionId: a.id,
      traceId: traceIds.get(a.id) ?? '',
      outcome: a.outcome,
    };
    if (a.answered) {
      out.push({
        ...base,
        ts: a.startMs + 1,
        model: AVOIDED.model,
        provider: AVOIDED.provider,
        appCache: true,
        priced: true,
        failed: false,
        costPico: 0n,
        input: 0,
        cacheRead: 0,
        cacheWrite: 0,
        output: 0,
        durationMs: 1,
      });
    }
    for (const c of a.calls) {
      const s = SHAPES[c.shape];
      out.push({
        ...base,
        ts: a.startMs + c.offsetMs,
        model: s.model,
        provider: s.provider,
        appCache: false,
        priced: s.priced,
        failed: c.failed,
        costPico: c.failed ? 0n : s.costPico,
        input: c.failed ? 0 : s.input,
        cacheRead: c.failed ? 0 : s.cacheRead,
        cacheWrite: c.failed ? 0 : s.cacheWrite,
        output: c.failed ? 0 : s.output,
        durationMs: c.durationMs,
      });
    }
  }
  for (const l of t.lone) {
    const s = SHAPES[l.shape];
    out.push({
      ts: l.startMs,
      service: l.service,
      surface: 'unattributed',
      customer: '',
      model: s.model,
      provider: s.provider,
      actionId: '',
      traceId: '',
      outcome: 'unknown',
      appCache: false,
      priced: s.priced,
      failed: false,
      costPico: s.costPico,
      input: s.input,
      cacheRead: s.cacheRead,
      cacheWrite: s.cacheWrite,
      output: s.output,
      durationMs: l.durationMs,
    });
  }
  return out;
}

export function actionFacts(t: TrafficSet): ActionFact[] {
  return t.actions.map((a) => ({
    ts: a.startMs,
    id: a.id,
    service: a.service,
    surface: a.surface,
    customer: a.customer,
    outcome: a.outcome,
    reason: a.reason,
    durationMs: a.durationMs,
    appCache: a.answered !== undefined,
    earlyExit: a.answered?.rule !== undefined,
  }));
}

const within = (ts: number, w: Window): boolean => ts >= w.from && ts <= w.to;
const allows = (values: readonly string[] | undefined, v: string): boolean => !values || values.includes(v);

export function selectCalls(calls: readonly CallFact[], w: Window, f: Filters): CallFact[] {
  return calls.filter(
    (c) =>
      within(c.ts, w) &&
      allows(f.service, c.service) &&
      allows(f.surface, c.surface) &&
      allows(f.customer, c.customer) &&
      allows(f.model, c.model),
  );
}

/** Actions have no model: the model filter does not narrow them. */
export function selectActions(actions: readonly ActionFact[], w: Window, f: Filters): ActionFact[] {
  return actions.filter(
    (a) =>
      within(a.ts, w) &&
      allows(f.service, a.service) &&
      allows(f.surface, a.surface) &&
      allows(f.customer, a.customer),
  );
}

const sumPico = (xs: readonly CallFact[]): bigint => xs.reduce((s, c) => s + c.costPico, 0n);
const groupBy = <T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> => {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
};

export interface SurfaceNumbers {
  costPico: bigint;
  successes: number;
  /** Truncated to 12 decimals, as ClickHouse divides a Decimal by an integer; null without successes. */
  costPerSuccessPico: bigint | null;
  failures: number;
  failedCostPico: bigint;
  promptCacheShare: number | null;
  appCacheHitRate: number | null;
  earlyExitRate: number | null;
  latency: { p50: number; p95: number; p99: number } | null;
}

export function quantileExactInclusive(values: readonly number[], p: number): number {
  const xs = [...values].sort((a, b) => a - b);
  const pos = (xs.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = xs[lo] ?? NaN;
  const b = xs[hi] ?? NaN;
  return a + (b - a) * (pos - lo);
}

export function surfaceNumbers(
  calls: readonly CallFact[],
  actions: readonly ActionFact[],
): Map<string, SurfaceNumbers> {
  const bySurfaceCalls = groupBy(calls, (c) => c.surface);
  const bySurfaceActions = groupBy(actions, (a) => a.surface);
  const surfaces = new Set([...bySurfaceCalls.keys(), ...bySurfaceActions.keys()]);
  const out = new Map<string, SurfaceNumbers>();
  for (const s of surfaces) {
    const cs = bySurfaceCalls.get(s) ?? [];
    const as = bySurfaceActions.get(s) ?? [];
    const costPico = sumPico(cs);
    const successes = as.filter((a) => a.outcome === 'success').length;
    const input = cs.reduce((n, c) => n + c.input, 0);
    const cacheRead = cs.reduce((n, c) => n + c.cacheRead, 0);
    const durations = as.map((a) => a.durationMs);
    out.set(s, {
      costPico,
      successes,
      costPerSuccessPico: successes > 0 ? costPico / BigInt(successes) : null,
      failures: as.filter((a) => a.outcome === 'failure').length,
      failedCostPico: sumPico(cs.filter((c) => c.outcome === 'failure')),
      promptCacheShare: input > 0 ? cacheRead / input : null,
      appCacheHitRate: as.length > 0 ? as.filter((a) => a.appCache).length / as.length : null,
      earlyExitRate: as.length > 0 ? as.filter((a) => a.earlyExit).length / as.length : null,
      latency:
        durations.length > 0
          ? {
              p50: quantileExactInclusive(durations, 0.5),
              p95: quantileExactInclusive(durations, 0.95),
              p99: quantileExactInclusive(durations, 0.99),
            }
          : null,
    });
  }
  return out;
}

export interface RankedAction {
  actionId: string;
  traceId: string;
  costPico: bigint;
  calls: number;
  customer: string;
}

/** The top 10% (rounded up) of actions with calls in the window, by cost; ties by trace then action id. */
export function topActions(calls: readonly CallFact[]): { top: RankedAction[]; all: RankedAction[] } {
  const byAction = groupBy(
    calls.filter((c) => c.actionId !== ''),
    (c) => `${c.traceId}/${c.actionId}`,
  );
  const all = [...byAction.values()].map((cs) => ({
    actionId: cs[0]?.actionId ?? '',
    traceId: cs[0]?.traceId ?? '',
    costPico: sumPico(cs),
    calls: cs.filter((c) => !c.appCache).length,
    customer: cs[0]?.customer ?? '',
  }));
  all.sort((a, b) =>
    a.costPico !== b.costPico
      ? a.costPico > b.costPico
        ? -1
        : 1
      : a.traceId !== b.traceId
        ? a.traceId < b.traceId
          ? -1
          : 1
        : a.actionId < b.actionId
          ? -1
          : a.actionId > b.actionId
            ? 1
            : 0,
  );
  return { top: all.slice(0, Math.ceil(all.length / 10)), all };
}

export function costByModel(
  calls: readonly CallFact[],
): Map<string, { costPico: bigint; calls: number; unpriced: number }> {
  const out = new Map<string, { costPico: bigint; calls: number; unpriced: number }>();
  for (const [model, cs] of groupBy(
    calls.filter((c) => !c.appCache),
    (c) => c.model,
  )) {
    out.set(model, { costPico: sumPico(cs), calls: cs.length, unpriced: cs.filter((c) => !c.priced).length });
  }
  return out;
}

export function failuresByReason(
  calls: readonly CallFact[],
  actions: readonly ActionFact[],
): Map<string, { failed: number; costPico: bigint }> {
  const out = new Map<string, { failed: number; costPico: bigint }>();
  for (const a of actions.filter((x) => x.outcome === 'failure')) {
    const cur = out.get(a.reason) ?? { failed: 0, costPico: 0n };
    cur.failed++;
    cur.costPico += sumPico(calls.filter((c) => c.actionId === a.id));
    out.set(a.reason, cur);
  }
  return out;
}
