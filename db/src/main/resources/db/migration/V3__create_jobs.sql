-- One request to the provider. The row is the source of truth; RabbitMQ only carries its id.
CREATE TABLE jobs (
    id                text        NOT NULL,
    tenant_id         text        NOT NULL,
    -- Null for a single job submitted through POST /v1/jobs.
    batch_id          text,
    -- 1-based line of the batch input; orders results and names lines in errors.
    line_no           integer,
    custom_id         text,
    -- The endpoint path, e.g. /v1/chat/completions.
    url               text        NOT NULL,
    model             text        NOT NULL,
    -- The request body exactly as the client sent it. text rather than jsonb: any valid JSON
    -- (including a "\u0000" escape, which jsonb refuses) survives byte for byte, and nothing is
    -- re-parsed on the hot path.
    body              text        NOT NULL,
    priority          smallint    NOT NULL DEFAULT 0,
    status            text        NOT NULL,
    -- Upstream calls made so far; a 429 gives its attempt back.
    attempts          integer     NOT NULL DEFAULT 0,
    webhook_url       text,
    -- When the broker confirmed the job's message. Null means it may never have reached the broker:
    -- the sweeper re-publishes such jobs.
    published_at      timestamptz,
    -- A retried job is not run before this instant (backoff).
    not_before        timestamptz,
    -- The worker that claimed the job, and until when its claim holds; a lease that runs out means
    -- the worker died and the job may be run again.
    lease_owner       text,
    lease_expires_at  timestamptz,
    created_at        timestamptz NOT NULL,
    started_at        timestamptz,
    completed_at      timestamptz,
    response_status   integer,
    -- The provider's body as received: text, because a failing provider may send something that
    -- is not JSON, and the error file must still show it.
    response_body     text,
    error_code        text,
    error_message     text,
    prompt_tokens     integer,
    completion_tokens integer,
    total_tokens      integer,
    latency_ms        integer,
    CONSTRAINT jobs_pk PRIMARY KEY (id),
    CONSTRAINT jobs_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT jobs_batch_fk FOREIGN KEY (batch_id) REFERENCES batches (id) ON DELETE CASCADE,
    CONSTRAINT jobs_batch_line_uq UNIQUE (batch_id, line_no),
    CONSTRAINT jobs_batch_custom_id_uq UNIQUE (batch_id, custom_id),
    CONSTRAINT jobs_status_known CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired')),
    CONSTRAINT jobs_priority_range CHECK (priority BETWEEN 0 AND 9),
    CONSTRAINT jobs_attempts_non_negative CHECK (attempts >= 0),
    CONSTRAINT jobs_completed_at_iff_terminal CHECK (
        (status IN ('succeeded', 'failed', 'cancelled', 'expired')) = (completed_at IS NOT NULL)),
    CONSTRAINT jobs_running_has_lease CHECK (
        status <> 'running' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL)),
    CONSTRAINT jobs_succeeded_has_response CHECK (status <> 'succeeded' OR response_status IS NOT NULL),
    CONSTRAINT jobs_batch_has_line CHECK (batch_id IS NULL OR line_no IS NOT NULL)
);

-- Live request_counts of a batch and "is anything left?" at each job's end.
CREATE INDEX jobs_batch_status_ix ON jobs (batch_id, status);
-- The publish sweeper: queued jobs whose message the broker never confirmed.
CREATE INDEX jobs_unpublished_ix ON jobs (created_at) WHERE status = 'queued' AND published_at IS NULL;
-- The rescuer: running jobs whose lease ran out.
CREATE INDEX jobs_running_lease_ix ON jobs (lease_expires_at) WHERE status = 'running';
-- Single jobs of a tenant (batch jobs are reached through their batch).
CREATE INDEX jobs_tenant_single_ix ON jobs (tenant_id, created_at) WHERE batch_id IS NULL;
