/**
 * Query time of every dashboard panel, as Grafana would send it (the plugin's expansion, all
 * variables "All", a 30-day range), on chDB seeded with `INSERT … SELECT … FROM numbers()` straight
 * into `llm_calls` and `actions`, so the materialized views fill the per-minute aggregates as in
 * production. Panels on the aggregates are timed beside their raw-table twins in the same run:
 * `dashboard.panel_ms.<panel>` (what the board runs), `dashboard.panel_scan_ms.<panel>` (the raw
 * scan) and `dashboard.scan_over_aggregate.<panel>` (their ratio).
 *
 * Default: 300,000 calls (a few seconds of seeding). `--full`: 10 million calls over 30 days. Five
 * surfaces, three services, 200 customers, four models; one action per three calls.
 *
 * @module
 */

import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStoreClient, migrate } from '@costline/collector';
import { OVERVIEW_PANELS, SURFACE_PANELS, VARIABLES } from '@costline/dashboards';
import type { PanelSpec } from '@costline/dashboards';
import { expandPanelSql } from '../../dashboards/support/expand.ts';
import type { VariableState } from '../../dashboards/support/expand.ts';
import type { Metric, Suite } from '../metric.ts';

const DAY = 86_400_000;
const CALLS_PER_ACTION = 3;
const CHUNK = 1_000_000;

/** Calls `[from, to)` of the synthetic set: 3 calls per action, spread evenly over the 30 days. */
function callsInsert(
  db: string,
  start: number,
  spanMs: number,
  total: number,
  from: number,
  to: number,
): string {
  const actions = Math.ceil(total / CALLS_PER_ACTION);
  return `INSERT INTO ${db}.llm_calls (ts, trace_id, span_id, action_id, service, surface, customer, provider,
    request_model, response_model, operation, input_tokens, uncached_input_tokens, cache_read_tokens,
    output_tokens, cost_usd, priced, duration_ms, status, action_outcome, app_cache_hit, sign)
  SELECT
    fromUnixTimestamp64Milli(toInt64(${start} + intDiv(a * ${spanMs}, ${actions}) + (number % ${CALLS_PER_ACTION}) * 700)) AS ts,
    leftPad(lower(hex(a)), 32, '0'), leftPad(lower(hex(number)), 16, '0'), leftPad(lower(hex(a)), 16, '0'),
    ['support-app', 'ops-app', 'batch-job'][a % 3 + 1],
    ['support-answer', 'ticket-triage', 'doc-summary', 'search', 'agent'][a % 5 + 1],
    concat('cust-', toString(a % 200)),
    ['anthropic', 'openai', 'openai', 'openai'][number % 4 + 1] AS provider,
    ['claude-sonnet-4-5', 'gpt-4o-mini', 'gpt-4o', 'o3'][number % 4 + 1] AS m, m, 'chat',
    1000 + (number * 7919) % 50000 AS input, input - cache_read, intDiv(input * (number % 3), 4) AS cache_read,
    100 + number % 900 AS output,
    toDecimal128(input * 3 + output * 15, 12) / 1000000,
    number % 97 != 0, toFloat64(200 + (number * 31) % 5000), if(number % 50 = 0, 'error', 'ok'),
    if(a % 10 = 0, 'failure', if(a % 17 = 0, 'unknown', 'success')), false, 1
  FROM (SELECT number, intDiv(number, ${CALLS_PER_ACTION}) AS a FROM numbers(${from}, ${to - from}))`;
}

function actionsInsert(
  db: string,
  start: number,
  spanMs: number,
  actions: number,
  from: number,
  to: number,
): string {
  return `INSERT INTO ${db}.actions (ts, end_ts, trace_id, action_id, service, surface, customer, outcome,
    failure_reason, duration_ms, llm_calls, cost_usd, app_cache_hit, early_exit_rule, sign)
  SELECT
    fromUnixTimestamp64Milli(toInt64(${start} + intDiv(number * ${spanMs}, ${actions}))) AS ts,
    ts + toIntervalMillisecond(500 + (number * 37) % 9000),
    leftPad(lower(hex(number)), 32, '0'), leftPad(lower(hex(number)), 16, '0'),
    ['support-app', 'ops-app', 'batch-job'][number % 3 + 1],
    ['support-answer', 'ticket-triage', 'doc-summary', 'search', 'agent'][number % 5 + 1],
    concat('cust-', toString(number % 200)),
    if(number % 10 = 0, 'failure', if(number % 17 = 0, 'unknown', 'success')) AS outcome,
    if(outcome = 'failure', ['timeout', 'unhelpful', 'RateLimitError'][number % 3 + 1], ''),
    toFloat64(500 + (number * 37) % 9000), ${CALLS_PER_ACTION}, toDecimal128(0, 12),
    number % 23 = 0, if(number % 46 = 0, 'empty-input', ''), 1
  FROM numbers(${from}, ${to - from})`;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const suite: Suite = {
  name: 'dashboards',
  async run({ full, log }) {
    const calls = full ? 10_000_000 : 300_000;
    const actions = Math.ceil(calls / CALLS_PER_ACTION);
    const dataDir = join(tmpdir(), `costline-bench-dashboards-${process.pid}`);
    const db = 'bench';
    const client = createStoreClient({ dataDir, database: db });
    try {
      await migrate(client, db);
      const end = Math.floor(Date.now() / 60_000) * 60_000;
      const start = end - 30 * DAY;
      const span = 30 * DAY - 60_000;
      const t0 = performance.now();
      for (let from = 0; from < calls; from += CHUNK) {
        await client.command({
          query: callsInsert(db, start, span, calls, from, Math.min(calls, from + CHUNK)),
        });
      }
      for (let from = 0; from < actions; from += CHUNK) {
        await client.command({
          query: actionsInsert(db, start, span, actions, from, Math.min(actions, from + CHUNK)),
        });
      }
      const seedS = (performance.now() - t0) / 1000;
      log(
        `seeded ${calls.toLocaleString('en-US')} calls and ${actions.toLocaleString('en-US')} actions in ${seedS.toFixed(1)} s`,
      );
      await client.command({ query: `USE ${db}` });
      const aggRows = await client.query({
        query: `SELECT count() AS n FROM ${db}.surface_minute`,
        format: 'JSONEachRow',
      });
      const [{ n: surfaceMinuteRows } = { n: '0' }] = await aggRows.json<{ n: string }>();

      const fromDate = new Date(start);
      const toDate = new Date(end);
      const variables: Record<string, VariableState> = {};
      const metrics: Metric[] = [
        { name: 'dashboard.seed.calls', value: calls, unit: 'rows', note: 'llm_calls rows over 30 days' },
        {
          name: 'dashboard.seed.surface_minute_rows',
          value: Number(surfaceMinuteRows),
          unit: 'rows',
          note: 'aggregate rows the MVs wrote',
        },
      ];
      for (const v of VARIABLES) {
        const sql = expandPanelSql(v.sql, { from: fromDate, to: toDate, intervalMs: 60_000, variables });
        const rs = await client.query({ query: sql, format: 'JSONEachRow' });
        const options = (await rs.json<Record<string, string>>()).map((r) => String(Object.values(r)[0]));
        variables[v.name] = { selected: 'all', options };
      }
      const time = async (sql: string): Promise<number> => {
        const runs: number[] = [];
        for (let i = 0; i < 3; i++) {
          const t = performance.now();
          const rs = await client.query({ query: sql, format: 'JSONEachRow' });
          await rs.json();
          runs.push(performance.now() - t);
        }
        return median(runs);
      };
      const panels: PanelSpec[] = [...OVERVIEW_PANELS, ...SURFACE_PANELS];
      for (const spec of panels) {
        const panelFrom = spec.timeFrom ? new Date(Math.max(start, end - 30 * DAY)) : fromDate;
        const ctx = { from: panelFrom, to: toDate, intervalMs: 3_600_000, variables };
        const ms = await time(expandPanelSql(spec.sql, ctx));
        metrics.push({
          name: `dashboard.panel_ms.${spec.key}`,
          value: ms,
          unit: 'ms',
          note: `${spec.scanSql ? 'surface_minute aggregate' : 'raw tables'}, 30 days, All, median of 3`,
        });
        if (spec.scanSql) {
          const scan = await time(expandPanelSql(spec.scanSql, ctx));
          metrics.push(
            {
              name: `dashboard.panel_scan_ms.${spec.key}`,
              value: scan,
              unit: 'ms',
              note: 'same numbers from llm_calls + actions',
            },
            {
              name: `dashboard.scan_over_aggregate.${spec.key}`,
              value: scan / ms,
              unit: 'ratio',
              note: 'raw scan ms ÷ aggregate ms, same run',
            },
          );
        }
        log(`${spec.key}: ${ms.toFixed(1)} ms`);
      }
      return metrics;
    } finally {
      await client.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

export default suite;
