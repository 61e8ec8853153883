-- Every model a job was ever submitted for. The api-service adds a model (and declares its queue)
-- before publishing its first job; workers read this table to know which queues to consume.
-- Per-model limits and pause state will live here too.
CREATE TABLE models (
    model         text        NOT NULL,
    first_seen_at timestamptz NOT NULL,
    CONSTRAINT models_pk PRIMARY KEY (model)
);
