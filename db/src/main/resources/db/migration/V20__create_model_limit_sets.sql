-- A model's limits are a set: any number of request windows and token windows (15/60s, 1000/1d,
-- 30000 tokens/60s), all enforced at once. An operator's set (PUT /admin/limits) replaces the default
-- (SLUICE_DEFAULT_LIMIT); limits the provider states in 429s and headers join it, each replacing only an
-- earlier learned one of the same unit and window.
CREATE TABLE model_limits (
    model      text        NOT NULL,
    source     text        NOT NULL,
    unit       text        NOT NULL,
    amount     bigint      NOT NULL,
    window_ms  bigint      NOT NULL,
    -- When the provider stated it; null for a configured limit.
    learned_at timestamptz,
    CONSTRAINT model_limits_pk PRIMARY KEY (model, source, unit, window_ms),
    CONSTRAINT model_limits_model_fk FOREIGN KEY (model) REFERENCES models (model) ON DELETE CASCADE,
    CONSTRAINT model_limits_source_known CHECK (source IN ('configured', 'learned')),
    CONSTRAINT model_limits_unit_known CHECK (unit IN ('requests', 'tokens')),
    CONSTRAINT model_limits_positive CHECK (amount > 0 AND window_ms > 0)
);

INSERT INTO model_limits (model, source, unit, amount, window_ms)
SELECT model, 'configured', 'requests', limit_requests, limit_window_ms FROM models WHERE limit_requests IS NOT NULL;

INSERT INTO model_limits (model, source, unit, amount, window_ms, learned_at)
SELECT model, 'learned', 'requests', learned_requests, learned_window_ms, learned_at
  FROM models WHERE learned_requests IS NOT NULL;

-- Their constraints go with them.
ALTER TABLE models
    DROP COLUMN limit_requests,
    DROP COLUMN limit_window_ms,
    DROP COLUMN learned_requests,
    DROP COLUMN learned_window_ms,
    DROP COLUMN learned_at,
    -- Provider-counted prompt tokens per estimated one, learned from answers' usage: corrects estimates
    -- for models no tokenizer here fits. Null: not learned yet (1).
    ADD COLUMN prompt_token_ratio  double precision,
    -- Tokens reserved for the answer of a request that names no max_tokens; null: SLUICE_DEFAULT_MAX_TOKENS.
    ADD COLUMN default_max_tokens  integer,
    ADD CONSTRAINT models_prompt_token_ratio_positive CHECK (prompt_token_ratio IS NULL OR prompt_token_ratio > 0),
    ADD CONSTRAINT models_default_max_tokens_non_negative CHECK (default_max_tokens IS NULL OR default_max_tokens >= 0);

-- The pacer's ledger: entry i was sent at sent_us[i] and counts sent_counts[i] requests and
-- sent_tokens[i] tokens (several old entries may be merged into one, at the latest of their times, so the
-- row stays small whatever the limits; merging only ever makes the pacer wait longer).
ALTER TABLE pacer_budgets
    ADD COLUMN sent_counts integer[] NOT NULL DEFAULT '{}',
    ADD COLUMN sent_tokens bigint[]  NOT NULL DEFAULT '{}';

UPDATE pacer_budgets
   SET sent_counts = array_fill(1, ARRAY[cardinality(sent_us)]),
       sent_tokens = array_fill(0::bigint, ARRAY[cardinality(sent_us)]);

-- What a 429 taught may now be a token limit, beyond int range.
ALTER TABLE rate_limit_events RENAME COLUMN learned_requests TO learned_amount;
ALTER TABLE rate_limit_events
    ALTER COLUMN learned_amount TYPE bigint,
    ADD COLUMN learned_unit text,
    ADD CONSTRAINT rate_limit_events_learned_unit_known CHECK (learned_unit IS NULL OR learned_unit IN ('requests', 'tokens'));

UPDATE rate_limit_events SET learned_unit = 'requests' WHERE learned_amount IS NOT NULL;
