/**
 * Every panel of both boards, on real data: a known traffic set goes through the real OTLP
 * exporter into a running collector and chDB; each panel's SQL is expanded as Grafana and the
 * ClickHouse plugin would (All, several values and one value of each variable) and run. Each panel
 * must return rows where the plan says there is data, and the key numbers must equal the ones
 * computed from the plan alone (./support/expected.ts).
 *
 * @module
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OVERVIEW_PANELS, SURFACE_PANELS, alertRules } from '@costline/dashboards';
import type { PanelSpec } from '@costline/dashboards';
import { usdToPico } from '@costline/collector';
import { rows, startCollector, storeClient } from '../support/store.ts';
import {
  actionFacts,
  callFacts,
  costByModel,
  failuresByReason,
  selectActions,
  selectCalls,
  surfaceNumbers,
  topActions,
} from './support/expected.ts';
import type { ActionFact, CallFact, Filters, Window } from './support/expected.ts';
import { panelContext, resolveVariables, runPanel } from './support/run-panels.ts';
import type { Selections } from './support/run-panels.ts';
import { sendTraffic } from './support/seed.ts';
import { planTraffic } from './support/traffic.ts';

const PANELS: readonly PanelSpec[] = [...OVERVIEW_PANELS, ...SURFACE_PANELS];
const DAY = 86_400_000;

let calls: CallFact[];
let actions: ActionFact[];
let from: Date;
let to: Date;

beforeAll(async () => {
  // Spans stop an hour before `end`; ending 30 minutes ahead keeps every span clear of the
  // `now()`-relative week and day boundaries the alert queries use.
  const end = Math.floor(Date.now() / 60_000) * 60_000 + 30 * 60_000;
  const traffic = planTraffic(end);
  const running = await startCollector({ actionWaitMs: 200 });
  const traceIds = await sendTraffic(running.url, traffic);
  await running.collector.flush();
  await running.collector.stop();
  // The data source's default database (provisioning: defaultDatabase): panels name bare tables.
  await storeClient().command({ query: `USE ${running.database}` });
  calls = callFacts(traffic, traceIds);
  actions = actionFacts(traffic);
  from = new Date(traffic.start);
  to = new Date(traffic.end);
}, 120_000);

afterAll(async () => {
  await storeClient().close();
});

const COMBOS: { name: string; selections: Selections }[] = [
  { name: 'All', selections: {} },
  { name: 'several surfaces', selections: { surface: ['support-answer', 'ticket-triage'] } },
  { name: 'one surface', selections: { surface: ['doc-summary'] } },
  { name: 'one service', selections: { service: ['ops-app'] } },
  { name: 'several services', selections: { service: ['support-app', 'batch-job'] } },
  { name: 'one customer', selections: { customer: ['whale'] } },
  { name: 'several customers', selections: { customer: ['acme', 'globex'] } },
  { name: 'one model', selections: { model: ['claude-sonnet-4-5-20250929'] } },
  { name: 'several models', selections: { model: ['gpt-4o-mini-2024-07-18', 'acme-finetune-7b'] } },
  {
    name: 'one of each',
    selections: { service: ['support-app'], surface: ['doc-summary'], customer: ['acme'], model: ['o3'] },
  },
];

const filtersOf = (s: Selections): Filters => ({
  ...(Array.isArray(s.service) ? { service: s.service } : {}),
  ...(Array.isArray(s.surface) ? { surface: s.surface } : {}),
  ...(Array.isArray(s.customer) ? { customer: s.customer } : {}),
  ...(Array.isArray(s.model) ? { model: s.model } : {}),
});

/** `$__timeFilter` compares with whole seconds. */
function windowOf(spec: PanelSpec, variables: Parameters<typeof panelContext>[3]): Window {
  const ctx = panelContext(spec, from, to, variables);
  return {
    from: Math.floor(ctx.from.getTime() / 1000) * 1000,
    to: Math.floor(ctx.to.getTime() / 1000) * 1000,
  };
}

type Row = Record<string, unknown>;
const pico = (v: unknown): bigint => usdToPico(String(v));
const bySurface = (rs: Row[]): Map<string, Row> => new Map(rs.map((r) => [String(r['surface']), r]));

/** Does the plan put any data behind this panel under these filters? */
function hasData(key: string, cs: CallFact[], as: ActionFact[]): boolean {
  switch (key) {
    case 'unpriced_calls':
      return cs.some((c) => !c.priced && !c.appCache);
    case 'failures_by_reason':
      return as.some((a) => a.outcome === 'failure');
    case 'latency_by_surface':
    case 'latency_over_time':
      return as.length > 0;
    case 'top_actions':
    case 'top_actions_traits':
      return cs.some((c) => c.actionId !== '');
    case 'spend_by_model':
    case 'model_distribution':
    case 'call_latency_by_model':
    case 'surface_model_distribution':
      return cs.some((c) => !c.appCache);
    default:
      return cs.length > 0 || as.length > 0;
  }
}

describe.each(COMBOS)('panels with $name', ({ selections }) => {
  it('every panel returns rows, and the key numbers equal the plan', async () => {
    const variables = await resolveVariables(selections, from, to);
    const f = filtersOf(selections);
    let checked = 0;
    for (const spec of PANELS) {
      const pf = f;
      const w =
        spec.key === 'cost_per_success_wow'
          ? { from: to.getTime() - 14 * DAY, to: to.getTime() }
          : windowOf(spec, variables);
      const cs = selectCalls(calls, w, pf);
      const as = selectActions(actions, w, pf);
      // An aggregate panel's raw-table twin alone must give the same numbers.
      const versions = [spec.sql, ...(spec.scanSql ? [spec.scanSql] : [])];
      for (const sqlText of versions) {
        const { sql, rows: rs } = await runPanel<Row>({ ...spec, sql: sqlText }, from, to, variables);
        expect(sql, spec.key).not.toMatch(/\$\w|\[\[/);
        // Rows exactly when the plan has data behind the panel (a stat always has its one row).
        if (hasData(spec.key, cs, as)) expect(rs.length, `${spec.key} rows`).toBeGreaterThan(0);
        checked += checkNumbers(spec.key, rs, cs, as, w);
      }
    }
    // The key numbers were compared for every panel that has them.
    expect(checked).toBeGreaterThanOrEqual(10);
  });
});

describe('alert rules', () => {
  it("run as Grafana sends them (no expansion) and return the plan's numbers per surface", async () => {
    const [wow, failedShare] = alertRules();
    if (!wow || !failedShare) throw new Error('two alert rules expected');
    const now = Date.now();
    const wowRows = await rows<{ surface: string; change_pct: number }>(wow.sql);
    const weekStart = now - 7 * DAY;
    const inWeeks = { from: now - 14 * DAY + 1, to: now };
    const cs = selectCalls(calls, inWeeks, {});
    const as = selectActions(actions, inWeeks, {});
    const thisWeek = surfaceNumbers(
      cs.filter((c) => c.ts > weekStart),
      as.filter((a) => a.ts > weekStart),
    );
    const lastWeek = surfaceNumbers(
      cs.filter((c) => c.ts <= weekStart),
      as.filter((a) => a.ts <= weekStart),
    );
    const expectedWow = new Map<string, number>();
    for (const [surface, t] of thisWeek) {
      const l = lastWeek.get(surface)?.costPerSuccessPico;
      if (t.costPerSuccessPico !== null && l) {
        expectedWow.set(surface, (Number(t.costPerSuccessPico) / Number(l) - 1) * 100);
      }
    }
    expect(new Set(wowRows.map((r) => r.surface))).toEqual(new Set(expectedWow.keys()));
    for (const r of wowRows)
      expect(r.change_pct, r.surface).toBeCloseTo(expectedWow.get(r.surface) ?? NaN, 3);
    // The plan raises long-context answers in the last week: support-answer crosses the 20% rule.
    expect(expectedWow.get('support-answer') ?? 0).toBeGreaterThan(wow.threshold);

    const shareRows = await rows<{ surface: string; failed_cost_share_pct: number }>(failedShare.sql);
    const day = selectCalls(calls, { from: now - DAY + 1, to: now }, {});
    const bySurfaceDay = surfaceNumbers(day, []);
    const expectedShare = [...bySurfaceDay].filter(([, n]) => n.costPico > 0n);
    expect(shareRows.length).toBe(expectedShare.length);
    for (const [surface, n] of expectedShare) {
      const got = shareRows.find((r) => r.surface === surface)?.failed_cost_share_pct;
      expect(got, surface).toBeCloseTo((Number(n.failedCostPico) / Number(n.costPico)) * 100, 3);
    }
  });
});

/** Compares a panel's key numbers with the plan; returns 1 when it checked any. */
function checkNumbers(key: string, rs: Row[], cs: CallFact[], as: ActionFact[], w: Window): number {
  const expected = surfaceNumbers(cs, as);
  switch (key) {
    case 'cost_per_success_stat':
    case 'cost_per_success_table':
    case 'surface_cost_per_success': {
      const got = bySurface(rs);
      expect([...got.keys()].sort(), key).toEqual([...expected.keys()].sort());
      for (const [surface, e] of expected) {
        const v = got.get(surface)?.['cost_per_success_usd'];
        expect(v === null ? null : pico(v), `${key} ${surface}`).toEqual(e.costPerSuccessPico);
        if (key === 'cost_per_success_table') {
          expect(pico(got.get(surface)?.['spend_usd']), `${key} ${surface} cost`).toEqual(e.costPico);
          expect(Number(got.get(surface)?.['successful_actions'])).toBe(e.successes);
        }
      }
      return 1;
    }
    case 'total_spend':
      expect(pico(rs[0]?.['spend_usd'] ?? '0')).toEqual(cs.reduce((s, c) => s + c.costPico, 0n));
      return 1;
    case 'failed_actions': {
      const got = bySurface(rs);
      for (const [surface, e] of expected) {
        expect(pico(got.get(surface)?.['failed_cost']), `failed cost ${surface}`).toEqual(e.failedCostPico);
        expect(Number(got.get(surface)?.['failed_actions']), `failed actions ${surface}`).toBe(e.failures);
      }
      return 1;
    }
    case 'cache_hit_rate':
    case 'cache_by_surface': {
      const got = bySurface(rs);
      for (const [surface, e] of expected) {
        const r = got.get(surface);
        expectRatio(r?.['prompt_cache_share'], e.promptCacheShare, `${key} prompt ${surface}`);
        expectRatio(r?.['app_cache_hit_rate'], e.appCacheHitRate, `${key} app ${surface}`);
        if (key === 'cache_by_surface')
          expectRatio(r?.['early_exit_rate'], e.earlyExitRate, `early exit ${surface}`);
      }
      return 1;
    }
    case 'latency_by_surface': {
      const got = bySurface(rs);
      for (const [surface, e] of expected) {
        if (!e.latency) continue;
        const r = got.get(surface);
        expect(Number(r?.['p50_ms'])).toBeCloseTo(e.latency.p50, 6);
        expect(Number(r?.['p95_ms']), `p95 ${surface}`).toBeCloseTo(e.latency.p95, 6);
        expect(Number(r?.['p99_ms'])).toBeCloseTo(e.latency.p99, 6);
      }
      return 1;
    }
    case 'top_actions': {
      const { top } = topActions(cs);
      expect(rs.map((r) => r['action_id'])).toEqual(top.map((t) => t.actionId));
      expect(rs.map((r) => pico(r['cost_usd']))).toEqual(top.map((t) => t.costPico));
      return 1;
    }
    case 'top_actions_traits': {
      const { top } = topActions(cs);
      const byTrait = new Map(rs.map((r) => [String(r['trait']), Number(r['top_actions'])]));
      const customers = new Map<string, number>();
      for (const t of top) customers.set(t.customer, (customers.get(t.customer) ?? 0) + 1);
      for (const [customer, n] of customers) expect(byTrait.get(`customer ${customer || '(none)'}`)).toBe(n);
      const many = top.filter((t) => t.calls >= 3).length;
      expect(byTrait.get('many calls per action') ?? 0).toBe(many);
      return 1;
    }
    case 'spend_by_model':
    case 'unpriced_calls': {
      const e = costByModel(cs);
      const got = new Map(rs.map((r) => [String(r['model']), r]));
      for (const [model, m] of e) {
        if (key === 'spend_by_model') {
          expect(pico(got.get(model)?.['cost_usd']), `model cost ${model}`).toEqual(m.costPico);
          expect(Number(got.get(model)?.['calls'])).toBe(m.calls);
        } else if (m.unpriced > 0) {
          expect(Number(got.get(model)?.['unpriced_calls']), `unpriced ${model}`).toBe(m.unpriced);
        }
      }
      return 1;
    }
    case 'failures_by_reason': {
      const e = failuresByReason(cs, as);
      expect(rs.length).toBe(e.size);
      for (const r of rs) {
        const x = e.get(String(r['reason']));
        expect(Number(r['failed_actions'])).toBe(x?.failed);
        expect(pico(r['cost_usd'])).toEqual(x?.costPico);
      }
      return 1;
    }
    case 'cost_per_success_wow': {
      const weekStart = w.to - 7 * DAY;
      const thisWeek = surfaceNumbers(
        cs.filter((c) => c.ts > weekStart),
        as.filter((a) => a.ts > weekStart),
      );
      const lastWeek = surfaceNumbers(
        cs.filter((c) => c.ts <= weekStart),
        as.filter((a) => a.ts <= weekStart),
      );
      const got = bySurface(rs);
      for (const [surface, e] of thisWeek) {
        const v = got.get(surface)?.['this_week_usd'];
        expect(v === null || v === undefined ? null : pico(v), `this week ${surface}`).toEqual(
          e.costPerSuccessPico,
        );
      }
      for (const [surface, e] of lastWeek) {
        const v = got.get(surface)?.['last_week_usd'];
        expect(v === null || v === undefined ? null : pico(v), `last week ${surface}`).toEqual(
          e.costPerSuccessPico,
        );
      }
      return 1;
    }
    default:
      return 0;
  }
}

function expectRatio(got: unknown, want: number | null, label: string): void {
  if (want === null) expect(got, label).toBeNull();
  else expect(Number(got), label).toBeCloseTo(want, 9);
}
