package dev.sluice.db.batch;

/**
 * A batch's status changed, as {@link BatchNotifications} heard it: the api-service publishes it to its readers of
 * batches on the listening thread, so a listener must be quick.
 *
 * @param batchId the batch, or null when any batch may have changed (the listening connection was down)
 */
public record BatchStatusChanged(String batchId) {

    /** Any batch may have changed: nothing was heard for a while. */
    public static final BatchStatusChanged ANY = new BatchStatusChanged(null);

    /** Whether the change may concern {@code id}. */
    public boolean concerns(String id) {
        return batchId == null || batchId.equals(id);
    }
}
