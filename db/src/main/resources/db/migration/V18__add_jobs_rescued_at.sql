-- When the lease rescuer last put the job back in the queue (database clock). Its message may be gone (a dead
-- worker's redelivered message is dropped as a duplicate while the lease is live; a stalled worker still holds
-- its own), so the api's publish sweeper sends a new one unless it published one since (published_at later).
-- Written only by the rescuer, as published_at is written only by the api's dispatch: neither hands the other's
-- column back and forth.
ALTER TABLE jobs ADD COLUMN rescued_at timestamptz;

-- The publish sweeper's second branch: rescued jobs still queued (few, and only until claimed again).
CREATE INDEX jobs_rescued_ix ON jobs (rescued_at) WHERE status = 'queued' AND rescued_at IS NOT NULL;
