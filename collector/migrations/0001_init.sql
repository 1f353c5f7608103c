-- Costline schema v1. The table and column names are a public API (ARCHITECTURE.md Contracts).
-- Money is Decimal(18,12) USD, never a float. `{db}` is replaced by the configured database.

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
    input_tokens           UInt64 COMMENT 'total input, cache reads and writes included',
    uncached_input_tokens  UInt64,
    cache_read_tokens      UInt64,
    cache_write_tokens     UInt64 COMMENT 'all cache writes, the 1-hour part included',
    cache_write_1h_tokens  UInt64,
    output_tokens          UInt64 COMMENT 'total output, reasoning included',
    reasoning_tokens       UInt64,
    input_audio_tokens     UInt64,
    output_audio_tokens    UInt64,
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
    sdk_retries            UInt16,
    app_cache_hit          Bool,
    avoided_model          LowCardinality(String),
    avoided_cost_usd       Decimal(18, 12),
    action_outcome         LowCardinality(String) COMMENT 'success | failure | unknown',
    dialect                LowCardinality(String),
    system_prompt_chars    UInt32
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (surface, ts, trace_id, span_id)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS {db}.actions
(
    ts                DateTime64(3, 'UTC'),
    end_ts            DateTime64(3, 'UTC'),
    trace_id          String,
    action_id         String,
    service           LowCardinality(String),
    surface           LowCardinality(String),
    customer          String,
    outcome           LowCardinality(String) COMMENT 'success | failure | unknown',
    failure_reason    LowCardinality(String),
    duration_ms       Float64,
    llm_calls         UInt32,
    failed_calls      UInt32,
    retries           UInt32,
    input_tokens      UInt64,
    output_tokens     UInt64,
    cache_read_tokens UInt64,
    cost_usd          Decimal(18, 12),
    app_cache_hit     Bool,
    early_exit_rule   LowCardinality(String),
    avoided_cost_usd  Decimal(18, 12)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (surface, ts, action_id)
SETTINGS non_replicated_deduplication_window = 10000;
