-- jobs_batch_status_ix held an entry for every job, and every non-HOT update of a job (its claim, its outcome,
-- the record of its message) wrote a new one. What it answered is "which of the batch's jobs are still to run"
-- (finalising, cancelling, expiring, the kept counts' checks) and "which failed" (retry by filter): two partial
-- indexes answer both, and a job that succeeds leaves neither an entry nor the work of writing one. Lookups of a
-- batch's jobs by line (results, admin views) go through jobs_batch_line_uq, as before.
CREATE INDEX jobs_batch_unfinished_ix ON jobs (batch_id) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_batch_unsuccessful_ix ON jobs (batch_id, status) WHERE status IN ('failed', 'expired', 'cancelled');
DROP INDEX jobs_batch_status_ix;
