-- Which live worker dispatches which models. The pull dispatcher reads its queues with basic.get, so the
-- broker's consumer count is always 0; GET /admin/queues and the sluice_queue_consumers gauge count the
-- workers whose heartbeat is recent and names the model instead.
CREATE TABLE worker_heartbeats (
    -- The worker's lease owner id ("worker-<pid>-<random>"), as written to jobs.lease_owner.
    worker_id text        NOT NULL,
    -- The models whose queues the worker dispatches right now (paused ones included).
    models    text[]      NOT NULL DEFAULT '{}',
    seen_at   timestamptz NOT NULL,
    CONSTRAINT worker_heartbeats_pk PRIMARY KEY (worker_id)
);

-- The state of each alert the workers evaluate themselves (the optional alert webhook), so that a
-- notification goes out once when an alert starts firing and once when it recovers, whichever worker
-- evaluates it. Evaluation is serialised by a transaction-scoped advisory lock.
CREATE TABLE alert_states (
    -- What is watched, e.g. 'backlog_age'.
    alert      text        NOT NULL,
    -- The model it is about.
    subject    text        NOT NULL,
    firing     boolean     NOT NULL,
    changed_at timestamptz NOT NULL,
    CONSTRAINT alert_states_pk PRIMARY KEY (alert, subject),
    CONSTRAINT alert_states_alert_not_blank CHECK (length(btrim(alert)) > 0)
);
