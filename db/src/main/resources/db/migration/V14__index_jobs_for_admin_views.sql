-- GET /admin/jobs: every job, newest first, resumed after a (created_at, id) cursor.
CREATE INDEX jobs_created_id_ix ON jobs (created_at DESC, id DESC);
-- GET /admin/usage: finished jobs by the day they finished.
CREATE INDEX jobs_completed_ix ON jobs (completed_at) WHERE completed_at IS NOT NULL;
