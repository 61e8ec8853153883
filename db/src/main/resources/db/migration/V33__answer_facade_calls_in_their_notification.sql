-- A facade call's end in one notification (docs/facade.md, "Waiting, across replicas").
--
-- Until now the api replica holding a caller heard the job's id, then read the job's row and deleted the call's
-- quota lease, two round trips at once between the worker's commit and the answer. Now:
--
-- 1. A waiting call's lease taken in the transaction that stores its job names the job (job_id), and the transaction
--    that finishes the job deletes it: the call stops counting against waiting_facade_calls when its job ends, on
--    the same commit that announces the end, and the replica has nothing left to delete. A lease taken on its own
--    (a call that waits for an identical call's job, an event stream) names no job and is deleted by its replica.
-- 2. A job that succeeded with an answer is announced with it: '<job id> <response status> <response body>', when
--    that fits in a notification (PostgreSQL refuses payloads of 8000 bytes or more); otherwise, and for every other
--    end, the payload is the job's id alone and the replica reads the row, as before.
--
-- A replica of an earlier version takes such a payload for an unknown job id and answers its callers from its
-- periodic re-check (sluice.facade.recheck-interval) until it is replaced.
ALTER TABLE quota_leases ADD COLUMN job_id text;

CREATE INDEX quota_leases_job_ix ON quota_leases (job_id) WHERE job_id IS NOT NULL;

CREATE OR REPLACE FUNCTION notify_job_finished() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    answer text;
BEGIN
    DELETE FROM quota_leases WHERE job_id = NEW.id;
    IF NEW.status = 'succeeded' AND NEW.response_status IS NOT NULL AND NEW.response_body IS NOT NULL THEN
        answer := NEW.id || ' ' || NEW.response_status || ' ' || NEW.response_body;
        IF octet_length(answer) < 8000 THEN
            PERFORM pg_notify('sluice_job_finished', answer);
            RETURN NULL;
        END IF;
    END IF;
    PERFORM pg_notify('sluice_job_finished', NEW.id);
    RETURN NULL;
END;
$$;
