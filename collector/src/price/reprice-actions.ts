/**
 * The `actions` half of re-pricing: each action of the window's calls gets a delta row so that its
 * reprice deltas sum to its calls' reprice deltas. Computed from what is stored, so it also completes
 * an earlier run that was cut off between the two inserts.
 *
 * @module
 */

import type { ClickHouseClient } from '@clickhouse/client';
import { picoToUsd, usdToPico } from '../store/money.ts';
import { insert, windowSql } from './reprice-store.ts';

interface ActionGap {
  trace_id: string;
  action_id: string;
  gap: string;
  ts: string;
  end_ts: string;
  service: string;
  surface: string;
  customer: string;
  outcome: string;
  failure_reason: string;
  app_cache_hit: boolean;
  early_exit_rule: string;
}

/**
 * Brings each action of the window's calls in line: its reprice delta rows must sum to its calls'
 * reprice delta rows. Reads what is stored, so it also completes an earlier run that was cut off.
 */
export async function repriceActions(
  client: ClickHouseClient,
  database: string,
  options: { from: Date; to?: Date | undefined },
  pricedAt: string,
): Promise<number> {
  const rs = await client.query({
    query: `SELECT c.trace_id AS trace_id, c.action_id AS action_id, toString(c.d_calls - ifNull(r.d_actions, 0)) AS gap,
        f.a_ts AS ts, f.a_end_ts AS end_ts, f.a_service AS service, f.a_surface AS surface,
        f.a_customer AS customer, f.a_outcome AS outcome, f.a_failure_reason AS failure_reason,
        f.a_app_cache_hit AS app_cache_hit, f.a_early_exit_rule AS early_exit_rule
      FROM (
        SELECT trace_id, action_id, sum(cost_usd) AS d_calls FROM ${database}.llm_calls
        WHERE correction = 'reprice' AND action_id != '' AND (trace_id, action_id) IN (
          SELECT trace_id, action_id FROM ${database}.llm_calls WHERE ${windowSql(options.to)} AND action_id != '')
        GROUP BY trace_id, action_id
      ) AS c
      INNER JOIN (
        SELECT trace_id, action_id, any(ts) AS a_ts, any(end_ts) AS a_end_ts, any(service) AS a_service,
          any(surface) AS a_surface, any(customer) AS a_customer, any(outcome) AS a_outcome,
          any(failure_reason) AS a_failure_reason, any(app_cache_hit) AS a_app_cache_hit,
          any(early_exit_rule) AS a_early_exit_rule
        FROM ${database}.actions WHERE sign = 1 GROUP BY trace_id, action_id
      ) AS f ON f.trace_id = c.trace_id AND f.action_id = c.action_id
      LEFT JOIN (
        SELECT trace_id, action_id, sum(cost_usd) AS d_actions FROM ${database}.actions
        WHERE correction = 'reprice' GROUP BY trace_id, action_id
      ) AS r ON r.trace_id = c.trace_id AND r.action_id = c.action_id
      WHERE c.d_calls != ifNull(r.d_actions, 0)`,
    format: 'JSONEachRow',
    query_params: { from: options.from.getTime(), to: options.to?.getTime() ?? 0 },
  });
  const gaps = await rs.json<ActionGap>();
  const rows = gaps.map((g) => ({
    ts: g.ts,
    end_ts: g.end_ts,
    trace_id: g.trace_id,
    action_id: g.action_id,
    service: g.service,
    surface: g.surface,
    customer: g.customer,
    outcome: g.outcome,
    failure_reason: g.failure_reason,
    duration_ms: 0,
    llm_calls: 0,
    failed_calls: 0,
    retries: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cost_usd: picoToUsd(usdToPico(g.gap)),
    app_cache_hit: g.app_cache_hit,
    early_exit_rule: g.early_exit_rule,
    avoided_cost_usd: '0',
    sign: 0,
    correction: 'reprice',
  }));
  await insert(client, `${database}.actions`, pricedAt, rows);
  return rows.length;
}
