package dev.sluice.db.tenant;

/**
 * What a tenant holds right now, in the units of its quotas.
 *
 * @param queuedJobs         jobs not yet finished (queued or running), of batches and single
 * @param storedBytes        bytes of the files it uploaded that are still stored (neither deleted nor expired)
 * @param eventStreams       open {@code GET /v1/batches/{id}/events} streams, on every api replica
 * @param waitingFacadeCalls synchronous facade calls in progress, on every api replica
 */
public record TenantUsage(long queuedJobs, long storedBytes, long eventStreams, long waitingFacadeCalls) {

    /** Nothing held. */
    public static final TenantUsage NONE = new TenantUsage(0, 0, 0, 0);
}
