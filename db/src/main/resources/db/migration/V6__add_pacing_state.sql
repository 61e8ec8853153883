-- Per-model limits an operator sets through PUT /admin/limits, limits learned from the provider's
-- 429s, and the pause switch. Null limit columns mean "not set": the effective limit is then the
-- default (SLUICE_DEFAULT_LIMIT); when both a configured (or default) and a learned limit exist, the
-- stricter one applies. Workers re-read this table every second.
ALTER TABLE models
    ADD COLUMN limit_requests     integer,
    ADD COLUMN limit_window_ms    bigint,
    -- Most requests of this model in flight at once, per upstream key, over all workers; null: no cap.
    ADD COLUMN max_concurrency    integer,
    ADD COLUMN learned_requests   integer,
    ADD COLUMN learned_window_ms  bigint,
    ADD COLUMN learned_at         timestamptz,
    ADD COLUMN paused             boolean     NOT NULL DEFAULT false,
    -- The safety margin as widened after 429s at a window's edge, shared by every worker; null: the
    -- configured margin. It only grows.
    ADD COLUMN margin_ms          integer,
    ADD COLUMN updated_at         timestamptz,
    ADD CONSTRAINT models_limit_complete CHECK ((limit_requests IS NULL) = (limit_window_ms IS NULL)),
    ADD CONSTRAINT models_limit_positive CHECK (limit_requests IS NULL OR (limit_requests > 0 AND limit_window_ms > 0)),
    ADD CONSTRAINT models_learned_complete CHECK ((learned_requests IS NULL) = (learned_window_ms IS NULL)),
    ADD CONSTRAINT models_learned_positive CHECK (learned_requests IS NULL OR (learned_requests > 0 AND learned_window_ms > 0)),
    ADD CONSTRAINT models_max_concurrency_positive CHECK (max_concurrency IS NULL OR max_concurrency > 0),
    ADD CONSTRAINT models_margin_non_negative CHECK (margin_ms IS NULL OR margin_ms >= 0);

-- The global pacer's state: one row per (upstream credential, model). sent_us holds the send times
-- of the most recent dispatches, oldest first, in microseconds since the epoch on PostgreSQL's clock:
-- a new dispatch is allowed only while fewer than N of them lie within the last W + margin.
-- busy_until_us holds one lease end per request in flight, for the concurrency cap; a worker that
-- dies leaves leases that simply run out. A decision locks the row (SELECT ... FOR UPDATE) for a few
-- milliseconds, so all workers' dispatches for one key and model are serialised through it, and
-- PostgreSQL's clock is the only clock they are measured by.
CREATE TABLE pacer_budgets (
    -- A fingerprint of the upstream key (first hex digits of its SHA-256), never the key itself.
    credential      text     NOT NULL,
    model           text     NOT NULL,
    sent_us         bigint[] NOT NULL DEFAULT '{}',
    busy_until_us   bigint[] NOT NULL DEFAULT '{}',
    -- After a 429: no dispatch with this key for this model before this instant (microseconds).
    paused_until_us bigint,
    CONSTRAINT pacer_budgets_pk PRIMARY KEY (credential, model)
);

-- Every 429 a worker saw, with what was learned from it (GET /admin/rate-limit-events).
CREATE TABLE rate_limit_events (
    id                bigint      GENERATED ALWAYS AS IDENTITY,
    model             text        NOT NULL,
    credential        text        NOT NULL,
    job_id            text,
    occurred_at       timestamptz NOT NULL,
    -- The provider's error message, truncated; it carries no secret.
    message           text,
    retry_after_ms    bigint,
    learned_requests  integer,
    learned_window_ms bigint,
    -- How long the model was paused for.
    paused_until      timestamptz,
    CONSTRAINT rate_limit_events_pk PRIMARY KEY (id)
);

CREATE INDEX rate_limit_events_model_ix ON rate_limit_events (model, occurred_at DESC);
CREATE INDEX rate_limit_events_occurred_ix ON rate_limit_events (occurred_at DESC);
