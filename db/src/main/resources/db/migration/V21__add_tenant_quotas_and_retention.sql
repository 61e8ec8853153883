-- Per-tenant quotas and weight, the leases that count open event streams and waiting facade calls across api
-- replicas, and the columns the retention sweep uses (docs/tenants.md).

-- A tenant's share of a contended model (fair share by weight is being built; stored now), and its quota
-- overrides: null means the default from the api-service's environment (SLUICE_QUOTA_*) applies.
ALTER TABLE tenants
    ADD COLUMN weight                     integer NOT NULL DEFAULT 1,
    ADD COLUMN quota_queued_jobs          bigint,
    ADD COLUMN quota_stored_bytes         bigint,
    ADD COLUMN quota_event_streams        bigint,
    ADD COLUMN quota_waiting_facade_calls bigint,
    ADD CONSTRAINT tenants_weight_positive CHECK (weight >= 1),
    ADD CONSTRAINT tenants_quotas_non_negative CHECK (
        quota_queued_jobs >= 0 AND quota_stored_bytes >= 0 AND quota_event_streams >= 0
        AND quota_waiting_facade_calls >= 0);

-- Something a tenant holds open on some api replica (an SSE stream, a facade call waiting for its job), counted
-- against its quota while expires_at is in the future. The holding replica extends its leases well before they
-- run out and deletes each when it closes; a replica that dies leaves leases that simply run out.
CREATE TABLE quota_leases (
    id         text        NOT NULL,
    tenant_id  text        NOT NULL,
    kind       text        NOT NULL,
    expires_at timestamptz NOT NULL,
    CONSTRAINT quota_leases_pk PRIMARY KEY (id),
    CONSTRAINT quota_leases_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT quota_leases_kind_known CHECK (kind IN ('event_streams', 'waiting_facade_calls'))
);

-- Counting a tenant's live leases of one kind.
CREATE INDEX quota_leases_tenant_kind_ix ON quota_leases (tenant_id, kind, expires_at);

-- Queued jobs of a tenant are counted from batch_job_counts (its open batches) plus its unfinished single jobs.
CREATE INDEX batches_tenant_open_ix ON batches (tenant_id)
    WHERE status IN ('validating', 'in_progress', 'finalizing', 'cancelling');
CREATE INDEX jobs_tenant_single_unfinished_ix ON jobs (tenant_id)
    WHERE batch_id IS NULL AND status IN ('queued', 'running');

-- Retention. content_expired_at: when the sweep removed what the retention period covers. A finished batch keeps
-- its row, counts and usage; its jobs keep status, attempts, error code and usage but lose their request and
-- response bodies; its files (input, output, error) keep their rows but no content. purged_lines: how many of
-- the batch's lines (in line order) have had their bodies removed so far, so the sweep resumes where it stopped.
ALTER TABLE batches
    ADD COLUMN content_expired_at timestamptz,
    ADD COLUMN purged_lines       integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT batches_purged_lines_range CHECK (purged_lines >= 0 AND purged_lines <= request_total),
    ADD CONSTRAINT batches_purged_only_expired CHECK (purged_lines = 0 OR content_expired_at IS NOT NULL);

ALTER TABLE jobs
    ADD COLUMN content_expired_at timestamptz,
    ALTER COLUMN body DROP NOT NULL,
    ADD CONSTRAINT jobs_body_kept_until_expired CHECK (body IS NOT NULL OR content_expired_at IS NOT NULL),
    ADD CONSTRAINT jobs_expired_only_terminal CHECK (content_expired_at IS NULL OR completed_at IS NOT NULL);

ALTER TABLE files ADD COLUMN expired_at timestamptz;

-- The sweep's work lists, each small: finished batches and single jobs still holding content, uploads not yet
-- expired, and expired batches whose jobs still hold bodies.
CREATE INDEX batches_finished_unexpired_ix ON batches (coalesce(completed_at, failed_at, expired_at, cancelled_at))
    WHERE content_expired_at IS NULL AND status IN ('completed', 'failed', 'expired', 'cancelled');
CREATE INDEX batches_purging_ix ON batches (content_expired_at)
    WHERE content_expired_at IS NOT NULL AND purged_lines < request_total;
CREATE INDEX jobs_single_unexpired_ix ON jobs (completed_at)
    WHERE batch_id IS NULL AND completed_at IS NOT NULL AND content_expired_at IS NULL;
CREATE INDEX files_uploads_unexpired_ix ON files (created_at)
    WHERE batch_id IS NULL AND expired_at IS NULL;
