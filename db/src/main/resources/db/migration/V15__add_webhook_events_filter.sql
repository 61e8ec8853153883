-- The optional webhook_events filter of a batch or single job: the terminal event types its webhook_url
-- wants. Null means every type (the behaviour before the filter existed). A subject that ends in a type
-- left out gets no event: the worker's sweep marks it with webhook_event_id = 'filtered' (never an event
-- id, which starts with "evt_") so that it leaves the partial "unswept" indexes and is not looked at again.
ALTER TABLE batches
    ADD COLUMN webhook_events text[],
    ADD CONSTRAINT batches_webhook_events_known CHECK (webhook_events <@ ARRAY[
        'batch.completed', 'batch.failed', 'batch.expired', 'batch.cancelled']::text[]),
    ADD CONSTRAINT batches_webhook_events_not_empty CHECK (cardinality(webhook_events) > 0),
    -- A filter without an address would be meaningless.
    ADD CONSTRAINT batches_webhook_events_need_url CHECK (webhook_events IS NULL OR webhook_url IS NOT NULL);

ALTER TABLE jobs
    ADD COLUMN webhook_events text[],
    ADD CONSTRAINT jobs_webhook_events_known CHECK (webhook_events <@ ARRAY[
        'job.succeeded', 'job.failed', 'job.cancelled', 'job.expired']::text[]),
    ADD CONSTRAINT jobs_webhook_events_not_empty CHECK (cardinality(webhook_events) > 0),
    ADD CONSTRAINT jobs_webhook_events_need_url CHECK (webhook_events IS NULL OR webhook_url IS NOT NULL);
