-- Per-minute aggregates fed by materialized views, so long Grafana ranges read thousands of rows.
-- Public API like the raw tables (README "Data"). `{db}` is the database; `{agg_ttl}` is empty or a
-- `TTL …` clause from COSTLINE_AGG_TTL_DAYS. Cluster mode rewrites engines and adds ON CLUSTER and
-- Distributed tables from this same text (collector/src/store/ddl.ts).
--
-- Sign-aware, like the raw tables: counts are sums of `sign` (a cancel row -1, a delta row 0),
-- money and tokens are plain sums of the already signed columns, latency states take fact rows
-- only (`sign = 1`). Read every count and sum with sum(); merge states with quantilesMerge(...).
--
-- Each table is fed by TWO views: one from `llm_calls` (cost, tokens, calls, bucketed by the call's
-- own time) and one from `actions` (actions, outcomes, action latency, bucketed by the action's
-- start). A view fills only its own columns; the other's stay 0 / empty. So, per surface and window:
--   cost per successful action = sum(cost_usd) / sum(successes)
-- from this one table, matching the Definitions (windows select calls by their own time and
-- actions by start time).

CREATE TABLE IF NOT EXISTS {db}.surface_minute
(
    minute                 DateTime('UTC'),
    service                LowCardinality(String),
    surface                LowCardinality(String),
    customer               String,
    -- from actions (by action start)
    actions                SimpleAggregateFunction(sum, Int64),
    successes              SimpleAggregateFunction(sum, Int64),
    failures               SimpleAggregateFunction(sum, Int64),
    unknowns               SimpleAggregateFunction(sum, Int64),
    app_cache_hit_actions  SimpleAggregateFunction(sum, Int64) COMMENT 'actions answered by the app cache or a rule',
    action_cost_usd        SimpleAggregateFunction(sum, Decimal(38, 12)) COMMENT 'cost of the actions started in the bucket',
    failed_action_cost_usd SimpleAggregateFunction(sum, Decimal(38, 12)) COMMENT 'cost of the failed actions started in the bucket',
    action_avoided_cost_usd SimpleAggregateFunction(sum, Decimal(38, 12)),
    action_duration_ms     AggregateFunction(quantiles(0.5, 0.95, 0.99), Float64) COMMENT 'action latency states (fact rows)',
    -- from llm_calls (by call time)
    calls                  SimpleAggregateFunction(sum, Int64) COMMENT 'model calls (app-cache rows excluded)',
    failed_calls           SimpleAggregateFunction(sum, Int64),
    retries                SimpleAggregateFunction(sum, Int64),
    cost_usd               SimpleAggregateFunction(sum, Decimal(38, 12)) COMMENT 'all call cost attributed to the surface',
    failed_cost_usd        SimpleAggregateFunction(sum, Decimal(38, 12)) COMMENT 'cost of calls whose action failed',
    unknown_cost_usd       SimpleAggregateFunction(sum, Decimal(38, 12)) COMMENT 'cost of calls whose action outcome is unknown',
    unpriced_calls         SimpleAggregateFunction(sum, Int64),
    input_tokens           SimpleAggregateFunction(sum, Int64),
    uncached_input_tokens  SimpleAggregateFunction(sum, Int64),
    cache_read_tokens      SimpleAggregateFunction(sum, Int64),
    cache_write_tokens     SimpleAggregateFunction(sum, Int64),
    cache_write_1h_tokens  SimpleAggregateFunction(sum, Int64),
    output_tokens          SimpleAggregateFunction(sum, Int64),
    reasoning_tokens       SimpleAggregateFunction(sum, Int64),
    cache_hit_calls        SimpleAggregateFunction(sum, Int64) COMMENT 'model calls that read the prompt cache',
    app_cache_hits         SimpleAggregateFunction(sum, Int64) COMMENT 'calls answered by the app cache (llm_calls rows)',
    avoided_cost_usd       SimpleAggregateFunction(sum, Decimal(38, 12)),
    call_duration_ms       AggregateFunction(quantiles(0.5, 0.95, 0.99), Float64) COMMENT 'model call latency states (fact rows)'
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (surface, minute, service, customer)
{agg_ttl}
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS {db}.model_minute
(
    minute                 DateTime('UTC'),
    surface                LowCardinality(String),
    provider               LowCardinality(String),
    model                  LowCardinality(String) COMMENT 'response model, else request model',
    calls                  SimpleAggregateFunction(sum, Int64) COMMENT 'model calls (app-cache rows excluded)',
    successes              SimpleAggregateFunction(sum, Int64) COMMENT 'calls whose action succeeded',
    failures               SimpleAggregateFunction(sum, Int64) COMMENT 'calls whose action failed',
    failed_calls           SimpleAggregateFunction(sum, Int64) COMMENT 'calls that themselves errored',
    retries                SimpleAggregateFunction(sum, Int64),
    cost_usd               SimpleAggregateFunction(sum, Decimal(38, 12)),
    failed_cost_usd        SimpleAggregateFunction(sum, Decimal(38, 12)) COMMENT 'cost of calls whose action failed',
    unpriced_calls         SimpleAggregateFunction(sum, Int64),
    input_tokens           SimpleAggregateFunction(sum, Int64),
    uncached_input_tokens  SimpleAggregateFunction(sum, Int64),
    cache_read_tokens      SimpleAggregateFunction(sum, Int64),
    cache_write_tokens     SimpleAggregateFunction(sum, Int64),
    cache_write_1h_tokens  SimpleAggregateFunction(sum, Int64),
    output_tokens          SimpleAggregateFunction(sum, Int64),
    reasoning_tokens       SimpleAggregateFunction(sum, Int64),
    cache_hit_calls        SimpleAggregateFunction(sum, Int64),
    app_cache_hits         SimpleAggregateFunction(sum, Int64),
    avoided_cost_usd       SimpleAggregateFunction(sum, Decimal(38, 12)),
    call_duration_ms       AggregateFunction(quantiles(0.5, 0.95, 0.99), Float64),
    ttft_ms                AggregateFunction(quantiles(0.5, 0.95, 0.99), Float64) COMMENT 'time to first token, streamed calls'
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (surface, minute, provider, model)
{agg_ttl}
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.surface_minute_calls_mv TO {db}.surface_minute AS
SELECT
    toStartOfMinute(c.ts) AS minute,
    service,
    surface,
    customer,
    toInt64(0) AS actions,
    toInt64(0) AS successes,
    toInt64(0) AS failures,
    toInt64(0) AS unknowns,
    toInt64(0) AS app_cache_hit_actions,
    toDecimal128(0, 12) AS action_cost_usd,
    toDecimal128(0, 12) AS failed_action_cost_usd,
    toDecimal128(0, 12) AS action_avoided_cost_usd,
    quantilesStateIf(0.5, 0.95, 0.99)(toFloat64(0), 0) AS action_duration_ms,
    toInt64(sumIf(c.sign, NOT c.app_cache_hit)) AS calls,
    toInt64(sumIf(c.sign, NOT c.app_cache_hit AND c.status = 'error')) AS failed_calls,
    toInt64(sum(c.sign * (toInt64(c.sdk_retries) + (c.retry_attempt > 0)))) AS retries,
    toDecimal128(sum(c.cost_usd), 12) AS cost_usd,
    toDecimal128(sumIf(c.cost_usd, c.action_outcome = 'failure'), 12) AS failed_cost_usd,
    toDecimal128(sumIf(c.cost_usd, c.action_outcome = 'unknown'), 12) AS unknown_cost_usd,
    toInt64(sumIf(c.sign, NOT c.app_cache_hit AND NOT c.priced)) AS unpriced_calls,
    toInt64(sum(c.input_tokens)) AS input_tokens,
    toInt64(sum(c.uncached_input_tokens)) AS uncached_input_tokens,
    toInt64(sum(c.cache_read_tokens)) AS cache_read_tokens,
    toInt64(sum(c.cache_write_tokens)) AS cache_write_tokens,
    toInt64(sum(c.cache_write_1h_tokens)) AS cache_write_1h_tokens,
    toInt64(sum(c.output_tokens)) AS output_tokens,
    toInt64(sum(c.reasoning_tokens)) AS reasoning_tokens,
    toInt64(sumIf(c.sign, NOT c.app_cache_hit AND c.cache_read_tokens != 0)) AS cache_hit_calls,
    toInt64(sumIf(c.sign, c.app_cache_hit)) AS app_cache_hits,
    toDecimal128(sum(c.avoided_cost_usd), 12) AS avoided_cost_usd,
    quantilesStateIf(0.5, 0.95, 0.99)(c.duration_ms, c.sign = 1 AND NOT c.app_cache_hit) AS call_duration_ms
FROM {db}.llm_calls AS c
GROUP BY minute, service, surface, customer;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.surface_minute_actions_mv TO {db}.surface_minute AS
SELECT
    toStartOfMinute(a.ts) AS minute,
    service,
    surface,
    customer,
    toInt64(sum(a.sign)) AS actions,
    toInt64(sumIf(a.sign, a.outcome = 'success')) AS successes,
    toInt64(sumIf(a.sign, a.outcome = 'failure')) AS failures,
    toInt64(sumIf(a.sign, a.outcome = 'unknown')) AS unknowns,
    toInt64(sumIf(a.sign, a.app_cache_hit)) AS app_cache_hit_actions,
    toDecimal128(sum(a.cost_usd), 12) AS action_cost_usd,
    toDecimal128(sumIf(a.cost_usd, a.outcome = 'failure'), 12) AS failed_action_cost_usd,
    toDecimal128(sum(a.avoided_cost_usd), 12) AS action_avoided_cost_usd,
    quantilesStateIf(0.5, 0.95, 0.99)(a.duration_ms, a.sign = 1) AS action_duration_ms,
    toInt64(0) AS calls,
    toInt64(0) AS failed_calls,
    toInt64(0) AS retries,
    toDecimal128(0, 12) AS cost_usd,
    toDecimal128(0, 12) AS failed_cost_usd,
    toDecimal128(0, 12) AS unknown_cost_usd,
    toInt64(0) AS unpriced_calls,
    toInt64(0) AS input_tokens,
    toInt64(0) AS uncached_input_tokens,
    toInt64(0) AS cache_read_tokens,
    toInt64(0) AS cache_write_tokens,
    toInt64(0) AS cache_write_1h_tokens,
    toInt64(0) AS output_tokens,
    toInt64(0) AS reasoning_tokens,
    toInt64(0) AS cache_hit_calls,
    toInt64(0) AS app_cache_hits,
    toDecimal128(0, 12) AS avoided_cost_usd,
    quantilesStateIf(0.5, 0.95, 0.99)(toFloat64(0), 0) AS call_duration_ms
FROM {db}.actions AS a
GROUP BY minute, service, surface, customer;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.model_minute_mv TO {db}.model_minute AS
SELECT
    toStartOfMinute(c.ts) AS minute,
    surface,
    provider,
    if(c.response_model != '', c.response_model, c.request_model) AS model,
    toInt64(sumIf(c.sign, NOT c.app_cache_hit)) AS calls,
    toInt64(sumIf(c.sign, NOT c.app_cache_hit AND c.action_outcome = 'success')) AS successes,
    toInt64(sumIf(c.sign, NOT c.app_cache_hit AND c.action_outcome = 'failure')) AS failures,
    toInt64(sumIf(c.sign, NOT c.app_cache_hit AND c.status = 'error')) AS failed_calls,
    toInt64(sum(c.sign * (toInt64(c.sdk_retries) + (c.retry_attempt > 0)))) AS retries,
    toDecimal128(sum(c.cost_usd), 12) AS cost_usd,
    toDecimal128(sumIf(c.cost_usd, c.action_outcome = 'failure'), 12) AS failed_cost_usd,
    toInt64(sumIf(c.sign, NOT c.app_cache_hit AND NOT c.priced)) AS unpriced_calls,
    toInt64(sum(c.input_tokens)) AS input_tokens,
    toInt64(sum(c.uncached_input_tokens)) AS uncached_input_tokens,
    toInt64(sum(c.cache_read_tokens)) AS cache_read_tokens,
    toInt64(sum(c.cache_write_tokens)) AS cache_write_tokens,
    toInt64(sum(c.cache_write_1h_tokens)) AS cache_write_1h_tokens,
    toInt64(sum(c.output_tokens)) AS output_tokens,
    toInt64(sum(c.reasoning_tokens)) AS reasoning_tokens,
    toInt64(sumIf(c.sign, NOT c.app_cache_hit AND c.cache_read_tokens != 0)) AS cache_hit_calls,
    toInt64(sumIf(c.sign, c.app_cache_hit)) AS app_cache_hits,
    toDecimal128(sum(c.avoided_cost_usd), 12) AS avoided_cost_usd,
    quantilesStateIf(0.5, 0.95, 0.99)(c.duration_ms, c.sign = 1 AND NOT c.app_cache_hit) AS call_duration_ms,
    quantilesStateIf(0.5, 0.95, 0.99)(assumeNotNull(c.ttft_ms), c.sign = 1 AND c.ttft_ms IS NOT NULL) AS ttft_ms
FROM {db}.llm_calls AS c
GROUP BY minute, surface, provider, model;
