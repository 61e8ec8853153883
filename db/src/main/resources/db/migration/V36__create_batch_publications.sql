-- A batch's publication in progress, recorded once per confirmed chunk instead of once per job (docs/architecture.md,
-- "Publish"). A batch's jobs are stored with published_at set (their messages are their batch's publisher's to send,
-- under the batch's publishing lease, V16) and the batch gets a row here in the same transaction. As the broker
-- confirms each chunk of lines, in line order, the publisher moves unconfirmed_from past it; once every line is
-- confirmed the row is deleted. A row whose lease has run out (the publisher died, or gave up on a refusing broker)
-- is the publish sweeper's: it sends the queued jobs from unconfirmed_from on and moves the row on in the same way.
-- Batches stored before this migration have no row: their jobs were marked one by one, as single jobs still are.
CREATE TABLE batch_publications (
    batch_id         text    NOT NULL,
    -- The first line whose message the broker has not confirmed; every line before it is on its queue.
    unconfirmed_from integer NOT NULL,
    CONSTRAINT batch_publications_pk PRIMARY KEY (batch_id),
    CONSTRAINT batch_publications_batch_fk FOREIGN KEY (batch_id) REFERENCES batches (id) ON DELETE CASCADE
);
