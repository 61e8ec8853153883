-- An operator's retry (POST /admin/jobs/{id}/retry, POST /admin/jobs/retry) leaves the failed job failed and
-- records here that it was retried: retried_at when the retry claimed it, retried_as the new batch (a batch
-- job's retry) or new job (a single job's) once stored. Retrying by filter skips jobs with retried_at, so
-- repeated calls walk the failed jobs instead of resubmitting the same ones. The tenant's own
-- POST /v1/batches/{id}/retry does not set these.
ALTER TABLE jobs
    ADD COLUMN retried_at timestamptz,
    ADD COLUMN retried_as text,
    ADD CONSTRAINT jobs_retried_as_needs_retried_at_ck CHECK (retried_as IS NULL OR retried_at IS NOT NULL);

-- Retrying by filter: failed jobs not yet retried, oldest first. Small: only failed, unretried jobs.
CREATE INDEX jobs_failed_unretried_ix ON jobs (created_at, id) WHERE status = 'failed' AND retried_at IS NULL;
