-- One submission. Status values are exactly OpenAI's; each terminal status has its own timestamp,
-- set iff the batch is in that status (named checks below), as the batch object reports them.
CREATE TABLE batches (
    id                text        NOT NULL,
    -- Insertion order, for stable newest-first pagination (ids are random).
    seq               bigint      GENERATED ALWAYS AS IDENTITY,
    tenant_id         text        NOT NULL,
    status            text        NOT NULL,
    endpoint          text        NOT NULL,
    completion_window text        NOT NULL,
    input_file_id     text,
    output_file_id    text,
    error_file_id     text,
    metadata          jsonb,
    webhook_url       text,
    priority          smallint    NOT NULL DEFAULT 0,
    request_total     integer     NOT NULL,
    -- Final counts and usage, written once at finalisation; while the batch runs they are counted
    -- from its jobs instead, so that finishing a job never contends on the batch row.
    request_completed integer,
    request_failed    integer,
    prompt_tokens     bigint,
    completion_tokens bigint,
    total_tokens      bigint,
    -- OpenAI's "errors" object, for a batch that failed validation.
    errors            jsonb,
    created_at        timestamptz NOT NULL,
    in_progress_at    timestamptz,
    expires_at        timestamptz NOT NULL,
    finalizing_at     timestamptz,
    completed_at      timestamptz,
    failed_at         timestamptz,
    expired_at        timestamptz,
    cancelling_at     timestamptz,
    cancelled_at      timestamptz,
    CONSTRAINT batches_pk PRIMARY KEY (id),
    CONSTRAINT batches_seq_uq UNIQUE (seq),
    CONSTRAINT batches_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT batches_status_known CHECK (status IN ('validating', 'failed', 'in_progress', 'finalizing',
                                                      'completed', 'expired', 'cancelling', 'cancelled')),
    CONSTRAINT batches_priority_range CHECK (priority BETWEEN 0 AND 9),
    CONSTRAINT batches_request_total_positive CHECK (request_total >= 0),
    CONSTRAINT batches_completed_at_iff_completed CHECK ((status = 'completed') = (completed_at IS NOT NULL)),
    CONSTRAINT batches_failed_at_iff_failed CHECK ((status = 'failed') = (failed_at IS NOT NULL)),
    CONSTRAINT batches_expired_at_iff_expired CHECK ((status = 'expired') = (expired_at IS NOT NULL)),
    CONSTRAINT batches_cancelled_at_iff_cancelled CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    CONSTRAINT batches_terminal_has_counts CHECK (
        status NOT IN ('completed', 'expired', 'cancelled') OR request_completed IS NOT NULL)
);

-- GET /v1/batches: a tenant's batches, newest first, resumed after a cursor.
CREATE INDEX batches_tenant_seq_ix ON batches (tenant_id, seq DESC);
-- The finaliser looks for batches still open.
CREATE INDEX batches_open_ix ON batches (status) WHERE status IN ('in_progress', 'finalizing', 'cancelling');
