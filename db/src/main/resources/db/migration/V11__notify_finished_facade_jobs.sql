-- The synchronous facade (POST /v1/chat/completions etc.) stores each call as a single job of priority 9
-- and holds the caller's connection until the job is finished. The worker that finishes it may run on any
-- machine, and the caller may wait on any api replica, so the database itself announces the end: when such
-- a job reaches a terminal status, NOTIFY sluice_job_finished with the job id. PostgreSQL delivers a
-- notification only when the finishing transaction commits, so a listener that reads the row on receipt
-- always sees the result. Batch jobs (batch_id set) and lower priorities never notify, so batch throughput
-- pays nothing. A lost notification (a listener reconnecting) is covered by each api's periodic re-check.
CREATE FUNCTION notify_job_finished() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('sluice_job_finished', NEW.id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER jobs_notify_finished
    AFTER UPDATE OF status ON jobs
    FOR EACH ROW
    WHEN (NEW.batch_id IS NULL AND NEW.priority = 9
          AND NEW.status IN ('succeeded', 'failed', 'cancelled', 'expired')
          AND OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION notify_job_finished();
