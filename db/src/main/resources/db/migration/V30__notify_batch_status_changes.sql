-- A client polling GET /v1/batches/{id}, or following GET /v1/batches/{id}/events, waits above all for the batch's
-- status to change, to completed most of all. The api answers polls from a recent read of the batch and reads a
-- streamed batch every poll interval, so without a word from the database a new status showed up to a few hundred
-- milliseconds late. PostgreSQL announces each change of a batch's status on sluice_batches when the changing
-- transaction commits, the payload the batch id; each api replica then drops what it remembers of that batch and
-- wakes its event streams. A batch changes status a handful of times in its life; its jobs' progress (the counts)
-- announces nothing, so batch throughput pays nothing.
CREATE FUNCTION notify_batch_status() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('sluice_batches', NEW.id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER batches_notify_status
    AFTER UPDATE OF status ON batches
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION notify_batch_status();
