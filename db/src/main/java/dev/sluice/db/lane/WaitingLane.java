package dev.sluice.db.lane;

import java.time.Instant;

/**
 * A lane with work waiting, as operators see it: the tenant, its weight, and its share of the model among the
 * tenants waiting now (weight / the sum of their weights), since when it waits, and its queued jobs.
 */
public record WaitingLane(
        String model,
        String tenantId,
        String tenantName,
        int weight,
        double share,
        Instant waitingSince,
        long queuedJobs) {}
