/**
 * The Overview board: cost per successful action by surface, its trend and week-over-week change,
 * spend (total, by model, by calendar month), failed actions and their cost, cache hit rates, the
 * model mix and unpriced calls.
 *
 * Every number follows ARCHITECTURE.md Contracts. Each total is summed over its own table and only
 * then combined (UNION ALL of per-table sums), never over a join, so fan-out cannot inflate it
 * (shared case ingest #7); counts are `sum(sign)` so correction rows keep them right.
 *
 * @module
 */

import { QUERY_FORMAT } from './clickhouse-query.ts';
import { ACTION_DIMS, ACTION_FILTER, AGG_FILTER, CALL_DIMS, CALL_FILTER, MODEL_EXPR } from './filters.ts';
import { withModelFallback } from './model-fallback.ts';
import { UNIT } from './panel-spec.ts';
import type { PanelSpec } from './panel-spec.ts';

const ZERO_USD = 'toDecimal128(0, 12)';
const ZERO = 'toInt64(0)';

/** Cost (calls by their time) and action counts (actions by start time), per surface. */
const costAndOutcomes = `
  SELECT surface, sum(cost_usd) AS cost, ${ZERO} AS successes, ${ZERO} AS failures, ${ZERO} AS unknowns
  FROM llm_calls WHERE ${CALL_FILTER} GROUP BY surface
  UNION ALL
  SELECT surface, ${ZERO_USD}, sumIf(sign, outcome = 'success'), sumIf(sign, outcome = 'failure'),
         sumIf(sign, outcome = 'unknown')
  FROM actions WHERE ${ACTION_FILTER} GROUP BY surface`;

/**
 * Cost per successful action over the 7 days ending at `rangeEnd` and the 7 days before, from the
 * per-minute aggregate (weeks split to the minute). Shared by the panel (`$__toTime`, the
 * variables) and the alert rule (`now()`, no variables: alert queries never pass through the
 * plugin's frontend interpolation).
 */
export function weekOverWeekSql(rangeEnd: string, dims: string): string {
  const thisWeek = 'minute >= week_start';
  const lastWeek = 'minute < week_start';
  return `WITH ${rangeEnd} AS range_end, range_end - INTERVAL 7 DAY AS week_start, range_end - INTERVAL 14 DAY AS last_week_start
SELECT surface,
       if(sumIf(successes, ${thisWeek}) > 0, sumIf(cost_usd, ${thisWeek}) / sumIf(successes, ${thisWeek}), NULL) AS this_week_usd,
       if(sumIf(successes, ${lastWeek}) > 0, sumIf(cost_usd, ${lastWeek}) / sumIf(successes, ${lastWeek}), NULL) AS last_week_usd,
       if(this_week_usd IS NULL OR last_week_usd IS NULL OR last_week_usd = 0, NULL,
          toFloat64(this_week_usd) / toFloat64(last_week_usd) - 1) AS change
FROM surface_minute WHERE minute >= last_week_start AND minute <= range_end AND ${dims}
GROUP BY surface ORDER BY surface`;
}

/** The week-over-week numbers from the raw tables (calls by time, actions by start). */
export function weekOverWeekScanSql(rangeEnd: string, callDims: string, actionDims: string): string {
  return `WITH ${rangeEnd} AS range_end, range_end - INTERVAL 7 DAY AS week_start, range_end - INTERVAL 14 DAY AS last_week_start
SELECT surface,
       if(sum(s_this) > 0, sum(c_this) / sum(s_this), NULL) AS this_week_usd,
       if(sum(s_last) > 0, sum(c_last) / sum(s_last), NULL) AS last_week_usd,
       if(this_week_usd IS NULL OR last_week_usd IS NULL OR last_week_usd = 0, NULL,
          toFloat64(this_week_usd) / toFloat64(last_week_usd) - 1) AS change
FROM (
  SELECT surface, sumIf(cost_usd, ts > week_start) AS c_this, sumIf(cost_usd, ts <= week_start) AS c_last,
         ${ZERO} AS s_this, ${ZERO} AS s_last
  FROM llm_calls WHERE ts > last_week_start AND ts <= range_end AND ${callDims} GROUP BY surface
  UNION ALL
  SELECT surface, ${ZERO_USD}, ${ZERO_USD}, sumIf(sign, outcome = 'success' AND ts > week_start),
         sumIf(sign, outcome = 'success' AND ts <= week_start)
  FROM actions WHERE ts > last_week_start AND ts <= range_end AND ${actionDims} GROUP BY surface
)
GROUP BY surface ORDER BY surface`;
}

const cpsa = 'if(sum(successes) > 0, sum(cost) / sum(successes), NULL)';

export const COST_PER_SUCCESS_SQL = `SELECT surface, if(sum(successes) > 0, sum(cost_usd) / sum(successes), NULL) AS cost_per_success_usd
FROM surface_minute WHERE ${AGG_FILTER} GROUP BY surface ORDER BY surface`;

export const COST_PER_SUCCESS_SCAN_SQL = `SELECT surface, ${cpsa} AS cost_per_success_usd
FROM (${costAndOutcomes}
)
GROUP BY surface ORDER BY surface`;

const CPSA_DESCRIPTION =
  'From the per-minute aggregate. All money attributed to the surface in the range (calls of successful, failed and unknown actions, retries, calls outside any action) ÷ its successful actions. Actions are counted by start time, calls by their own time. "—" when the surface has no successful action. With models selected it reads the raw calls (the aggregate has no model).';

const PANELS: readonly PanelSpec[] = [
  {
    key: 'cost_per_success_stat',
    title: 'Cost per successful action',
    description: CPSA_DESCRIPTION,
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
    key: 'cost_per_success_table',
    title: 'Cost per successful action by surface',
    description: `${CPSA_DESCRIPTION} Success rate = success ÷ (success + failure); unknown outcomes are shown apart.`,
    kind: 'table',
    format: QUERY_FORMAT.table,
    unit: UNIT.usd,
    columnUnits: {
      successful_actions: UNIT.count,
      failed_actions: UNIT.count,
      unknown_actions: UNIT.count,
      success_rate: UNIT.ratio,
    },
    sql: `SELECT surface, if(sum(successes) > 0, sum(cost_usd) / sum(successes), NULL) AS cost_per_success_usd,
       sum(cost_usd) AS spend_usd, sum(successes) AS successful_actions, sum(failures) AS failed_actions,
       sum(unknowns) AS unknown_actions,
       if(successful_actions + failed_actions > 0, successful_actions / (successful_actions + failed_actions), NULL) AS success_rate
FROM surface_minute WHERE ${AGG_FILTER} GROUP BY surface ORDER BY spend_usd DESC, surface`,
    scanSql: `SELECT surface, ${cpsa} AS cost_per_success_usd, sum(cost) AS spend_usd,
       sum(successes) AS successful_actions, sum(failures) AS failed_actions, sum(unknowns) AS unknown_actions,
       if(sum(successes) + sum(failures) > 0, sum(successes) / (sum(successes) + sum(failures)), NULL) AS success_rate
FROM (${costAndOutcomes}
)
GROUP BY surface ORDER BY spend_usd DESC, surface`,
    w: 14,
    h: 8,
  },
  {
    key: 'cost_per_success_wow',
    title: 'Cost per successful action, week over week',
    description:
      'Cost per successful action over the 7 days ending at the end of the range, against the 7 days before; change = this ÷ last − 1. Empty when either week has no successful action.',
    kind: 'table',
    format: QUERY_FORMAT.table,
    unit: UNIT.usd,
    columnUnits: { change: UNIT.ratio },
    sql: weekOverWeekSql('$__toTime', ACTION_DIMS),
    scanSql: weekOverWeekScanSql('$__toTime', CALL_DIMS, ACTION_DIMS),
    w: 10,
    h: 8,
  },
  {
    key: 'cost_per_success_trend',
    title: 'Cost per successful action, 7-day trend',
    description: `Daily cost per successful action by surface over the last 7 days. ${CPSA_DESCRIPTION}`,
    kind: 'timeseries',
    format: QUERY_FORMAT.timeSeries,
    unit: UNIT.usd,
    timeFrom: '7d',
    interval: '1d',
    sql: `SELECT $__timeInterval(minute) AS time, surface,
       if(sum(successes) > 0, sum(cost_usd) / sum(successes), NULL) AS cost_per_success_usd
FROM surface_minute WHERE ${AGG_FILTER} GROUP BY time, surface ORDER BY time, surface`,
    scanSql: `SELECT time, surface, if(sum(successes) > 0, sum(cost) / sum(successes), NULL) AS cost_per_success_usd
FROM (
  SELECT $__timeInterval(ts) AS time, surface, sum(cost_usd) AS cost, ${ZERO} AS successes
  FROM llm_calls WHERE ${CALL_FILTER} GROUP BY time, surface
  UNION ALL
  SELECT $__timeInterval(ts) AS time, surface, ${ZERO_USD}, sumIf(sign, outcome = 'success')
  FROM actions WHERE ${ACTION_FILTER} GROUP BY time, surface
)
GROUP BY time, surface ORDER BY time, surface`,
    w: 24,
    h: 8,
  },
  {
    key: 'total_spend',
    title: 'Total spend',
    description:
      'Sum of the exact cost (Decimal USD) of every model call in the range, whatever its action outcome.',
    kind: 'stat',
    format: QUERY_FORMAT.table,
    unit: UNIT.usd,
    valueField: 'spend_usd',
    sql: `SELECT sum(cost_usd) AS spend_usd FROM surface_minute WHERE ${AGG_FILTER}`,
    scanSql: `SELECT sum(cost_usd) AS spend_usd FROM llm_calls WHERE ${CALL_FILTER}`,
    w: 6,
    h: 5,
  },
  {
    key: 'unpriced_calls_stat',
    title: 'Unpriced calls',
    description:
      'Model calls with no known price: stored with priced = false and cost 0, never a silent $0. Add the model to a price book.',
    kind: 'stat',
    format: QUERY_FORMAT.table,
    unit: UNIT.count,
    valueField: 'unpriced',
    sql: `SELECT sum(unpriced_calls) AS unpriced FROM surface_minute WHERE ${AGG_FILTER}`,
    scanSql: `SELECT sumIf(sign, NOT priced) AS unpriced FROM llm_calls WHERE ${CALL_FILTER} AND NOT app_cache_hit`,
    w: 6,
    h: 5,
  },
  {
    key: 'spend_by_month',
    title: 'Spend by calendar month',
    description: 'Model-call cost per calendar month (UTC), over the last 180 days.',
    kind: 'barchart',
    format: QUERY_FORMAT.table,
    unit: UNIT.usd,
    timeFrom: '180d',
    sql: `SELECT formatDateTime(toStartOfMonth(minute), '%Y-%m') AS month, sum(cost_usd) AS spend_usd
FROM surface_minute WHERE ${AGG_FILTER} GROUP BY month ORDER BY month`,
    scanSql: `SELECT formatDateTime(toStartOfMonth(ts), '%Y-%m') AS month, sum(cost_usd) AS spend_usd
FROM llm_calls WHERE ${CALL_FILTER} GROUP BY month ORDER BY month`,
    w: 12,
    h: 5,
  },
  {
    key: 'spend_by_model',
    title: 'Spend by model',
    description:
      'Cost, calls and tokens per model (response model, else request model). Input tokens include cache reads and writes.',
    kind: 'table',
    format: QUERY_FORMAT.table,
    unit: UNIT.usd,
    columnUnits: { calls: UNIT.count, input_tokens: UNIT.tokens, output_tokens: UNIT.tokens },
    sql: `SELECT ${MODEL_EXPR} AS model, provider, sum(cost_usd) AS cost_usd, sum(sign) AS calls,
       sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens
FROM llm_calls WHERE ${CALL_FILTER} AND NOT app_cache_hit
GROUP BY model, provider ORDER BY cost_usd DESC, model`,
    w: 12,
    h: 8,
  },
  {
    key: 'model_distribution',
    title: 'Model distribution',
    description: 'Share of model calls per model (app-cache answers are not model calls).',
    kind: 'piechart',
    format: QUERY_FORMAT.table,
    unit: UNIT.count,
    valueField: 'calls',
    sql: `SELECT ${MODEL_EXPR} AS model, sum(sign) AS calls
FROM llm_calls WHERE ${CALL_FILTER} AND NOT app_cache_hit GROUP BY model ORDER BY calls DESC, model`,
    w: 12,
    h: 8,
  },
  {
    key: 'failed_actions',
    title: 'Failed actions and their cost',
    description:
      'Actions whose outcome is failure (counted by start time), the cost of their calls, and that cost as a share of all cost on the surface.',
    kind: 'table',
    format: QUERY_FORMAT.table,
    unit: UNIT.usd,
    columnUnits: { failed_actions: UNIT.count, failed_cost_share: UNIT.ratio },
    sql: `SELECT surface, sum(failures) AS failed_actions, sum(failed_cost_usd) AS failed_cost, sum(cost_usd) AS spend,
       if(spend > 0, toFloat64(failed_cost) / toFloat64(spend), NULL) AS failed_cost_share
FROM surface_minute WHERE ${AGG_FILTER} GROUP BY surface ORDER BY failed_cost DESC, surface`,
    scanSql: `SELECT surface, sum(failed) AS failed_actions, sum(failed_part) AS failed_cost, sum(cost) AS spend,
       if(spend > 0, toFloat64(failed_cost) / toFloat64(spend), NULL) AS failed_cost_share
FROM (
  SELECT surface, ${ZERO} AS failed, sumIf(cost_usd, action_outcome = 'failure') AS failed_part, sum(cost_usd) AS cost
  FROM llm_calls WHERE ${CALL_FILTER} GROUP BY surface
  UNION ALL
  SELECT surface, sumIf(sign, outcome = 'failure'), ${ZERO_USD}, ${ZERO_USD}
  FROM actions WHERE ${ACTION_FILTER} GROUP BY surface
)
GROUP BY surface ORDER BY failed_cost DESC, surface`,
    w: 12,
    h: 8,
  },
  {
    key: 'cache_hit_rate',
    title: 'Cache hit rate',
    description:
      'Prompt-cache share = cache_read_tokens ÷ input_tokens (provider prompt cache); app cache hit rate = actions answered from the application cache or by a rule ÷ actions.',
    kind: 'table',
    format: QUERY_FORMAT.table,
    unit: UNIT.ratio,
    columnUnits: { cache_read: UNIT.tokens, input: UNIT.tokens, action_count: UNIT.count },
    sql: `SELECT surface,
       if(sum(input_tokens) > 0, sum(cache_read_tokens) / sum(input_tokens), NULL) AS prompt_cache_share,
       if(sum(actions) > 0, sum(app_cache_hit_actions) / sum(actions), NULL) AS app_cache_hit_rate,
       sum(cache_read_tokens) AS cache_read, sum(input_tokens) AS input, sum(actions) AS action_count
FROM surface_minute WHERE ${AGG_FILTER} GROUP BY surface ORDER BY surface`,
    scanSql: `SELECT surface,
       if(sum(input) > 0, sum(cache_read) / sum(input), NULL) AS prompt_cache_share,
       if(sum(n) > 0, sum(answered) / sum(n), NULL) AS app_cache_hit_rate,
       sum(cache_read) AS cache_read_tokens, sum(input) AS input_tokens, sum(n) AS action_count
FROM (
  SELECT surface, sum(cache_read_tokens) AS cache_read, sum(input_tokens) AS input, ${ZERO} AS answered, ${ZERO} AS n
  FROM llm_calls WHERE ${CALL_FILTER} GROUP BY surface
  UNION ALL
  SELECT surface, ${ZERO}, ${ZERO}, sumIf(sign, app_cache_hit), sum(sign)
  FROM actions WHERE ${ACTION_FILTER} GROUP BY surface
)
GROUP BY surface ORDER BY surface`,
    w: 12,
    h: 8,
  },
  {
    key: 'unpriced_calls',
    title: 'Unpriced calls by model',
    description:
      'Models without a price: their calls are stored with priced = false and cost 0 until a price book covers them.',
    kind: 'table',
    format: QUERY_FORMAT.table,
    unit: UNIT.count,
    columnUnits: { input_tokens: UNIT.tokens, output_tokens: UNIT.tokens },
    sql: `SELECT provider, ${MODEL_EXPR} AS model, sum(sign) AS unpriced_calls,
       sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens
FROM llm_calls WHERE ${CALL_FILTER} AND NOT priced AND NOT app_cache_hit
GROUP BY provider, model ORDER BY unpriced_calls DESC, model`,
    w: 12,
    h: 8,
  },
];

/** Aggregate panels fall back to their raw twin when models are selected (model-fallback.ts). */
export const OVERVIEW_PANELS: readonly PanelSpec[] = PANELS.map(withModelFallback);
