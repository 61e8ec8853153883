-- Weighted fair share between tenants (docs/tenants.md, "Fair share"). Each tenant's jobs for a model travel in a
-- lane of their own: a broker queue per (model, tenant), and here one row per lane that has work waiting. A worker
-- that has room for k requests of a model takes the next k messages lane by lane in the order of their pass
-- (stride scheduling): the lane with the lowest pass goes, and its pass grows by 1 / the tenant's weight. A lane
-- enters with the lowest pass of the lanes already waiting, so it neither waits behind their backlog nor brings
-- credit from a time it had no work; a lane found empty is deleted, so an idle lane costs nothing.
CREATE TABLE lanes (
    model        text             NOT NULL,
    tenant_id    text             NOT NULL,
    pass         double precision NOT NULL,
    -- When the lane last entered, and the last time a publisher touched it (an api-service's upsert after its
    -- messages were confirmed, which waits for a worker that is taking from the lane).
    entered_at   timestamptz      NOT NULL DEFAULT now(),
    published_at timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT lanes_pk PRIMARY KEY (model, tenant_id)
);

-- A lane that enters rings the workers: each LISTENs on sluice_lanes and wakes the model's dispatcher, so a job is
-- picked up within milliseconds of its lane entering and no worker polls an idle lane. The notification is sent
-- when the inserting transaction commits. A lane that already waits does not ring: a dispatcher is taking from it.
CREATE FUNCTION notify_lane_entered() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('sluice_lanes', NEW.model);
    RETURN NULL;
END;
$$;

CREATE TRIGGER lanes_notify_entered
    AFTER INSERT ON lanes
    FOR EACH ROW
EXECUTE FUNCTION notify_lane_entered();

-- A synchronous facade call is priority 10, above the 0-9 a client may choose, so it goes first among its own
-- tenant's jobs (and only those).
ALTER TABLE jobs DROP CONSTRAINT jobs_priority_range;
ALTER TABLE jobs ADD CONSTRAINT jobs_priority_range CHECK (priority BETWEEN 0 AND 10);

DROP TRIGGER jobs_notify_finished ON jobs;
CREATE TRIGGER jobs_notify_finished
    AFTER UPDATE OF status ON jobs
    FOR EACH ROW
    WHEN (NEW.batch_id IS NULL AND NEW.priority >= 9
          AND NEW.status IN ('succeeded', 'failed', 'cancelled', 'expired')
          AND OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION notify_job_finished();

-- Queued jobs by lane: what the lost-message sweep looks for, lane by lane (it replaces the index by model, whose
-- queries it serves as well through its first column).
DROP INDEX jobs_queued_by_model_ix;
CREATE INDEX jobs_queued_by_lane_ix ON jobs (model, tenant_id, published_at) WHERE status = 'queued';
