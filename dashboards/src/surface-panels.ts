/**
 * The Surface board (drill-down): latency, token volume, cache hit rates, model mix, failures by
 * reason with their cost, and the top 10% most expensive actions with what they share — the
 * seed's exercise: find the expensive tail, see why (long context, one customer, a loop), act.
 *
 * Per-action figures are summed per action inside each table first (one row per action on each
 * side), so the one join below (failures ⋈ their calls) is 1:1 and cannot fan out.
 *
 * @module
 */

import { QUERY_FORMAT } from './clickhouse-query.ts';
import {
  ACTION_FILTER,
  AGG_FILTER,
  CALL_FILTER,
  LONG_CONTEXT_TOKENS,
  MANY_CALLS,
  MODEL_EXPR,
} from './filters.ts';
import { COST_PER_SUCCESS_SCAN_SQL, COST_PER_SUCCESS_SQL } from './overview-panels.ts';
import { withModelFallback } from './model-fallback.ts';
import { UNIT } from './panel-spec.ts';
import type { PanelSpec } from './panel-spec.ts';

/**
 * One row per action seen in `llm_calls`, ranked by cost. The rows are actions (grouped), so
 * counting rows here counts actions (`all_n`); `top_n` = the top 10%, rounded up. Aggregates are
 * named apart from the columns: ClickHouse resolves aliases first, and `surface` in the WHERE
 * filters must stay the column.
 */
const RANKED_ACTIONS = `
  SELECT trace_id, action_id, any(surface) AS action_surface, any(customer) AS action_customer,
         sum(cost_usd) AS action_cost_usd, sumIf(sign, NOT app_cache_hit) AS calls,
         maxIf(input_tokens, sign = 1) AS max_input_tokens,
         max_input_tokens > ${LONG_CONTEXT_TOKENS} AS long_context, calls >= ${MANY_CALLS} AS many_calls,
         row_number() OVER (ORDER BY action_cost_usd DESC, trace_id, action_id) AS cost_rank,
         count() OVER () AS all_n, ceil(all_n / 10) AS top_n
  FROM llm_calls WHERE ${CALL_FILTER} AND action_id != ''
  GROUP BY trace_id, action_id HAVING sum(sign) > 0`;

const latency = (p: number): string => `quantileExactInclusiveIf(${p})(duration_ms, sign = 1)`;

/*
 * Action latency reads `actions`, not the aggregate's quantile states: merging one state per
 * minute × service × surface × customer was 3–4× slower than the exact scan over 10M calls
 * (`pnpm bench -- --full`), and the exact function needs no sampling caveat.
 */

const PANELS: readonly PanelSpec[] = [
  {
    key: 'surface_cost_per_success',
    title: 'Cost per successful action',
    description:
      'All money attributed to the surface in the range ÷ its successful actions (Contracts). "—" without a successful action.',
    kind: 'stat',
    format: QUERY_FORMAT.table,
    unit: UNIT.usd,
    valueField: 'cost_per_success_usd',
    sql: COST_PER_SUCCESS_SQL,
    scanSql: COST_PER_SUCCESS_SCAN_SQL,
    w: 24,
    h: 5,
  },
  {
    key: 'latency_by_surface',
    title: 'Action latency p50 / p95 / p99',
    description:
      'Action duration (start of the action span to its end) percentiles, exact, over the fact rows of actions started in the range.',
    kind: 'table',
    format: QUERY_FORMAT.table,
    unit: UNIT.ms,
    columnUnits: { action_count: UNIT.count },
    sql: `SELECT surface, ${latency(0.5)} AS p50_ms, ${latency(0.95)} AS p95_ms, ${latency(0.99)} AS p99_ms,
       sum(sign) AS action_count
FROM actions WHERE ${ACTION_FILTER} GROUP BY surface ORDER BY surface`,
    w: 12,
    h: 7,
  },
  {
    key: 'latency_over_time',
    title: 'Action latency over time',
    description: 'Action duration p50 / p95 / p99 per interval (exact), all selected surfaces together.',
    kind: 'timeseries',
    format: QUERY_FORMAT.timeSeries,
    unit: UNIT.ms,
    sql: `SELECT $__timeInterval(ts) AS time, ${latency(0.5)} AS p50_ms, ${latency(0.95)} AS p95_ms, ${latency(0.99)} AS p99_ms
FROM actions WHERE ${ACTION_FILTER} GROUP BY time ORDER BY time`,
    w: 12,
    h: 7,
  },
  {
    key: 'call_latency_by_model',
    title: 'Model-call latency by model',
    description:
      'Per-call duration percentiles per model (fact rows of model calls; app-cache answers excluded).',
    kind: 'table',
    format: QUERY_FORMAT.table,
    unit: UNIT.ms,
    columnUnits: { calls: UNIT.count },
    sql: `SELECT ${MODEL_EXPR} AS model, ${latency(0.5)} AS p50_ms, ${latency(0.95)} AS p95_ms, sum(sign) AS calls
FROM llm_calls WHERE ${CALL_FILTER} AND NOT app_cache_hit GROUP BY model ORDER BY calls DESC, model`,
    w: 12,
    h: 7,
  },
  {
    key: 'token_volume',
    title: 'Token volume: input vs output',
    description:
      'Tokens per interval. Input is split into uncached input, prompt-cache reads and cache writes (they add up to input_tokens); output includes reasoning.',
    kind: 'timeseries',
    format: QUERY_FORMAT.timeSeries,
    unit: UNIT.tokens,
    // Output names differ from the columns: an alias equal to a column would be read inside the
    // other sums (ClickHouse resolves aliases first) and nest aggregates.
    sql: `SELECT $__timeInterval(minute) AS time, sum(uncached_input_tokens) AS uncached_input,
       sum(cache_read_tokens) AS cache_read, sum(cache_write_tokens) AS cache_write, sum(output_tokens) AS output
FROM surface_minute WHERE ${AGG_FILTER} GROUP BY time ORDER BY time`,
    scanSql: `SELECT $__timeInterval(ts) AS time, sum(input_tokens - cache_read_tokens - cache_write_tokens) AS uncached_input,
       sum(cache_read_tokens) AS cache_read, sum(cache_write_tokens) AS cache_write, sum(output_tokens) AS output
FROM llm_calls WHERE ${CALL_FILTER} GROUP BY time ORDER BY time`,
    w: 12,
    h: 7,
  },
  {
    key: 'cache_by_surface',
    title: 'Prompt cache and app cache',
    description:
      'Prompt-cache share = cache_read_tokens ÷ input_tokens. App cache hit rate = actions answered from the app cache or by a rule ÷ actions; early-exit rate = actions answered by a rule ÷ actions; avoided cost = the priced cost of the calls those answers replaced.',
    kind: 'table',
    format: QUERY_FORMAT.table,
    unit: UNIT.ratio,
    columnUnits: {
      avoided_cost_usd: UNIT.usd,
      cache_read_tokens: UNIT.tokens,
      cache_write_tokens: UNIT.tokens,
    },
    sql: `SELECT surface,
       if(sum(input) > 0, sum(cache_read) / sum(input), NULL) AS prompt_cache_share,
       if(sum(n) > 0, sum(answered) / sum(n), NULL) AS app_cache_hit_rate,
       if(sum(n) > 0, sum(exits) / sum(n), NULL) AS early_exit_rate,
       sum(avoided) AS avoided_cost_usd, sum(cache_read) AS cache_read_tokens, sum(cache_write) AS cache_write_tokens
FROM (
  SELECT surface, sum(cache_read_tokens) AS cache_read, sum(cache_write_tokens) AS cache_write,
         sum(input_tokens) AS input, sum(avoided_cost_usd) AS avoided,
         toInt64(0) AS answered, toInt64(0) AS exits, toInt64(0) AS n
  FROM llm_calls WHERE ${CALL_FILTER} GROUP BY surface
  UNION ALL
  SELECT surface, toInt64(0), toInt64(0), toInt64(0), toDecimal128(0, 12), sumIf(sign, app_cache_hit),
         sumIf(sign, early_exit_rule != ''), sum(sign)
  FROM actions WHERE ${ACTION_FILTER} GROUP BY surface
)
GROUP BY surface ORDER BY surface`,
    w: 12,
    h: 7,
  },
  {
    key: 'surface_model_distribution',
    title: 'Model distribution (cost)',
    description: 'Share of cost per model on the selected surfaces.',
    kind: 'piechart',
    format: QUERY_FORMAT.table,
    unit: UNIT.usd,
    valueField: 'cost_usd',
    sql: `SELECT ${MODEL_EXPR} AS model, sum(cost_usd) AS cost_usd
FROM llm_calls WHERE ${CALL_FILTER} AND NOT app_cache_hit GROUP BY model ORDER BY cost_usd DESC, model`,
    w: 8,
    h: 8,
  },
  {
    key: 'failures_by_reason',
    title: 'Failures by reason, with their cost',
    description:
      "Failed actions (by start time) per failure reason, and the cost of their calls (by call time; calls carry their action's outcome). Each side is summed per action before the 1:1 join.",
    kind: 'table',
    format: QUERY_FORMAT.table,
    unit: UNIT.usd,
    columnUnits: { failed_actions: UNIT.count },
    sql: `SELECT reason, sum(n) AS failed_actions, sum(cost) AS cost_usd
FROM (
  SELECT a.reason AS reason, a.n AS n, c.cost AS cost
  FROM (
    SELECT trace_id, action_id, anyIf(failure_reason, sign = 1) AS reason, sumIf(sign, outcome = 'failure') AS n
    FROM actions WHERE ${ACTION_FILTER} GROUP BY trace_id, action_id HAVING n > 0
  ) AS a
  LEFT JOIN (
    SELECT trace_id, action_id, sum(cost_usd) AS cost
    FROM llm_calls WHERE ${CALL_FILTER} AND action_outcome = 'failure' GROUP BY trace_id, action_id
  ) AS c ON a.trace_id = c.trace_id AND a.action_id = c.action_id
)
GROUP BY reason ORDER BY cost_usd DESC, reason`,
    w: 16,
    h: 8,
  },
  {
    key: 'top_actions',
    title: 'Top 10% most expensive actions',
    description: `The most expensive tenth of the actions with calls in the range (rounded up), by their calls' cost. Long context = a call above ${LONG_CONTEXT_TOKENS.toLocaleString('en-US')} input tokens; many calls = ${MANY_CALLS} or more model calls (loops, retries).`,
    kind: 'table',
    format: QUERY_FORMAT.table,
    unit: UNIT.usd,
    columnUnits: { calls: UNIT.count, max_input_tokens: UNIT.tokens },
    sql: `SELECT cost_rank, action_id, trace_id, action_surface AS surface, action_customer AS customer,
       action_cost_usd AS cost_usd, calls, max_input_tokens, long_context, many_calls
FROM (${RANKED_ACTIONS}
)
WHERE cost_rank <= top_n ORDER BY cost_rank`,
    w: 24,
    h: 9,
  },
  {
    key: 'top_actions_traits',
    title: 'What the top 10% share',
    description: `Traits of the top 10% most expensive actions: long context (> ${LONG_CONTEXT_TOKENS.toLocaleString('en-US')} input tokens), ${MANY_CALLS}+ model calls, and the customer. share_of_top = top actions with the trait ÷ top actions; share_of_all = all actions with the trait ÷ all actions, for contrast.`,
    kind: 'table',
    format: QUERY_FORMAT.table,
    unit: UNIT.ratio,
    columnUnits: { top_actions: UNIT.count, top_cost_usd: UNIT.usd },
    sql: `SELECT trait, countIf(in_top) AS top_actions, top_actions / any(top_n) AS share_of_top,
       sumIf(action_cost_usd, in_top) AS top_cost_usd, count() / any(all_n) AS share_of_all
FROM (
  SELECT action_cost_usd, top_n, all_n, cost_rank <= top_n AS in_top,
         arrayJoin(arrayConcat(
           if(long_context, ['long context'], []),
           if(many_calls, ['many calls per action'], []),
           [concat('customer ', if(action_customer = '', '(none)', action_customer))])) AS trait
  FROM (${RANKED_ACTIONS}
  )
)
GROUP BY trait HAVING top_actions > 0 ORDER BY top_actions DESC, trait`,
    w: 24,
    h: 8,
  },
];

/** Aggregate panels fall back to their raw twin when models are selected (model-fallback.ts). */
export const SURFACE_PANELS: readonly PanelSpec[] = PANELS.map(withModelFallback);
