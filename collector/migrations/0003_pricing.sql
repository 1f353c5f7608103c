-- Costline schema v3: pricing. Per-call tool counts, the serving region and estimated prices on the
-- row; and the bookkeeping re-pricing needs to stay append-only and idempotent (see README,
-- "Re-pricing"): `correction` names what appended a correction row ('' on rows written at ingest,
-- 'reprice' on re-pricing deltas) and `priced_at` when the row's price was computed.

ALTER TABLE {db}.llm_calls
    ADD COLUMN IF NOT EXISTS tool_calls Map(LowCardinality(String), Int64) COMMENT 'per-call tool counts billed per call, e.g. {''web_search'': 4}',
    ADD COLUMN IF NOT EXISTS region LowCardinality(String) COMMENT 'where the call was served (regional uplift)',
    ADD COLUMN IF NOT EXISTS price_estimated Bool DEFAULT false COMMENT 'a price or an avoided cost that is an estimate (GPU-hour, surface average)',
    ADD COLUMN IF NOT EXISTS correction LowCardinality(String) DEFAULT '' COMMENT ''''' at ingest; ''reprice'' on a re-pricing delta row (sign 0)',
    ADD COLUMN IF NOT EXISTS priced_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'when this row''s price was computed';

ALTER TABLE {db}.actions
    ADD COLUMN IF NOT EXISTS correction LowCardinality(String) DEFAULT '' COMMENT ''''' at ingest; ''reprice'' on a re-pricing delta row (sign 0)';
