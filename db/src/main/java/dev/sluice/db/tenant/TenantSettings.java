package dev.sluice.db.tenant;

import java.time.Instant;

/**
 * A tenant's weight and quota overrides as stored; a null override means the configured default applies.
 *
 * @param id                 the tenant id
 * @param name               the name given when its first key was created
 * @param createdAt          when it was created
 * @param weight             its share of a contended model (at least 1)
 * @param queuedJobs         override of the queued-jobs quota, or null
 * @param storedBytes        override of the stored-bytes quota, or null
 * @param eventStreams       override of the open-event-streams quota, or null
 * @param waitingFacadeCalls override of the waiting-facade-calls quota, or null
 */
public record TenantSettings(
        String id,
        String name,
        Instant createdAt,
        int weight,
        Long queuedJobs,
        Long storedBytes,
        Long eventStreams,
        Long waitingFacadeCalls) {}
