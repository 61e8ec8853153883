-- The publishing lease of a batch: while it is in the future, the api instance that created the batch is
-- still publishing its job messages in the background, and the UnpublishedJobSweeper leaves the batch's
-- unpublished jobs alone (it would only send the same messages a second time). Set in the transaction that
-- stores the batch, extended before each chunk, cleared (null) when the publisher is done or gives up. If
-- the api instance dies, nothing extends it: once it has passed, the sweeper publishes what is left.
ALTER TABLE batches
    ADD COLUMN publishing_until timestamptz;
