-- Producer-supplied costs (OpenLIT gen_ai.usage.cost, Langfuse cost_details, OpenInference
-- llm.cost.total) kept beside our price as a hint: each producer uses its own price table, so the
-- value is never used as cost_usd. NULL when the producer sent none. Additive like the other money
-- columns: a cancelling row (sign = -1) carries it negated.
ALTER TABLE {db}.llm_calls ADD COLUMN IF NOT EXISTS producer_cost_usd Nullable(Decimal(18, 12)) COMMENT 'the producer cost estimate, a hint only, never used as cost_usd' AFTER dialect;
