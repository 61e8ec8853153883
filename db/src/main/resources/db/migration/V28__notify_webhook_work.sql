-- Workers used to look for webhook work every second whether or not there was any. Instead PostgreSQL announces it
-- on sluice_webhooks when the transaction that made it commits (identical notifications of one transaction collapse
-- into one):
--   'subject': a batch or single job with a webhook_url and no event yet became terminal; the events sweep runs;
--   'event':   an event became due to be sent now or at a new time (made by the sweep, a retry scheduled after a
--              failed attempt, a redelivery asked through the admin API); deliverers re-read the next due time.
-- A claim (which pushes next_attempt_at past the attempt's timeout and counts the attempt) and a final outcome
-- (next_attempt_at cleared) announce nothing: nobody has new work then. A notification missed while a worker's
-- listening connection was down is covered by the worker running both loops when it listens again, and by their
-- safety period (docs/operations.md, "Webhooks").
CREATE FUNCTION notify_webhook_work() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('sluice_webhooks', TG_ARGV[0]);
    RETURN NULL;
END;
$$;

CREATE TRIGGER batches_notify_webhook_subject
    AFTER INSERT OR UPDATE OF status ON batches
    FOR EACH ROW
    WHEN (NEW.webhook_url IS NOT NULL AND NEW.webhook_event_id IS NULL
          AND NEW.status IN ('completed', 'failed', 'expired', 'cancelled'))
EXECUTE FUNCTION notify_webhook_work('subject');

-- Only single jobs get events of their own; the batch_id test comes first, so a batch's jobs cost one comparison.
CREATE TRIGGER jobs_notify_webhook_subject
    AFTER INSERT OR UPDATE OF status ON jobs
    FOR EACH ROW
    WHEN (NEW.batch_id IS NULL AND NEW.webhook_url IS NOT NULL AND NEW.webhook_event_id IS NULL
          AND NEW.status IN ('succeeded', 'failed', 'cancelled', 'expired'))
EXECUTE FUNCTION notify_webhook_work('subject');

CREATE TRIGGER webhook_events_notify_created
    AFTER INSERT ON webhook_events
    FOR EACH ROW
    WHEN (NEW.status = 'pending')
EXECUTE FUNCTION notify_webhook_work('event');

-- attempts unchanged: a retry scheduled or a redelivery, not a claim (a claim counts the attempt).
CREATE TRIGGER webhook_events_notify_rescheduled
    AFTER UPDATE OF next_attempt_at ON webhook_events
    FOR EACH ROW
    WHEN (NEW.status = 'pending' AND NEW.attempts = OLD.attempts
          AND NEW.next_attempt_at IS DISTINCT FROM OLD.next_attempt_at)
EXECUTE FUNCTION notify_webhook_work('event');
