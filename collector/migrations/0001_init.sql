-- Costline schema v1. The table and column names are a public API (ARCHITECTURE.md Contracts).
-- Money is Decimal(18,12) USD, never a float. `{db}` is replaced by the configured database,
-- `{raw_ttl}` by nothing or a `TTL …` clause (COSTLINE_TTL_DAYS); see collector/src/store/ddl.ts.
--
-- Corrections (late calls, late outcomes, re-pricing) never rewrite a row: they append rows, so plain
-- queries without FINAL stay right. `sign` is 1 on a fact row, -1 on a row that cancels an earlier
-- one (every additive column negated), 0 on a delta row (only the changed additive columns set).
-- Additive columns are therefore signed. Sums are plain (`sum(cost_usd)`); counts are `sum(sign)`
-- (`sumIf(sign, outcome = 'success')`), never `count()`.

CREATE TABLE IF NOT EXISTS {db}.llm_calls
(
    ts                     DateTime64(3, 'UTC'),
    trace_id               String,
    span_id                String,
    parent_span_id         String,
    action_id              String,
    service                LowCardinality(String),
    surface                LowCardinality(String),
    customer               String,
    provider               LowCardinality(String),
    request_model          LowCardinality(String),
    response_model         LowCardinality(String),
    operation              LowCardinality(String),
    prompt_name            String,
    prompt_version         String,
    streaming              Bool,
    service_tier           LowCardinality(String),
    input_tokens           Int64 COMMENT 'total input, cache reads and writes included',
    uncached_input_tokens  Int64,
    cache_read_tokens      Int64,
    cache_write_tokens     Int64 COMMENT 'all cache writes, the 1-hour part included',
    cache_write_1h_tokens  Int64,
    output_tokens          Int64 COMMENT 'total output, reasoning included',
    reasoning_tokens       Int64,
    input_audio_tokens     Int64,
    output_audio_tokens    Int64,
    cost_input_usd         Decimal(18, 12),
    cost_cache_read_usd    Decimal(18, 12),
    cost_cache_write_usd   Decimal(18, 12),
    cost_output_usd        Decimal(18, 12),
    cost_other_usd         Decimal(18, 12) COMMENT 'audio, per-call tool fees',
    cost_usd               Decimal(18, 12),
    priced                 Bool,
    price_source           LowCardinality(String),
    price_version          LowCardinality(String),
    pricing_tier           LowCardinality(String),
    price_flags            Array(LowCardinality(String)),
    usage_missing          Bool,
    duration_ms            Float64,
    ttft_ms                Nullable(Float64),
    status                 LowCardinality(String) COMMENT 'ok | error',
    error_type             LowCardinality(String),
    retry_attempt          UInt16,
    sdk_retries            Int32,
    app_cache_hit          Bool,
    avoided_model          LowCardinality(String),
    avoided_cost_usd       Decimal(18, 12),
    action_outcome         LowCardinality(String) COMMENT 'success | failure | unknown',
    dialect                LowCardinality(String),
    system_prompt_chars    UInt32,
    sign                   Int8 DEFAULT 1 COMMENT '1 fact, -1 cancels an earlier row, 0 delta: counts are sum(sign)'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (surface, ts, trace_id, span_id)
{raw_ttl}
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS {db}.actions
(
    ts                DateTime64(3, 'UTC'),
    end_ts            DateTime64(3, 'UTC'),
    trace_id          String,
    span_id           String COMMENT 'the action span (or root span) id; empty when known only by its calls',
    action_id         String,
    service           LowCardinality(String),
    surface           LowCardinality(String),
    customer          String,
    outcome           LowCardinality(String) COMMENT 'success | failure | unknown',
    failure_reason    LowCardinality(String),
    duration_ms       Float64,
    llm_calls         Int32,
    failed_calls      Int32,
    retries           Int32,
    input_tokens      Int64,
    output_tokens     Int64,
    cache_read_tokens Int64,
    cost_usd          Decimal(18, 12),
    app_cache_hit     Bool,
    early_exit_rule   LowCardinality(String),
    avoided_cost_usd  Decimal(18, 12),
    sign              Int8 DEFAULT 1 COMMENT '1 fact, -1 cancels an earlier row, 0 delta: counts are sum(sign)'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (surface, ts, action_id)
{raw_ttl}
SETTINGS non_replicated_deduplication_window = 10000;
