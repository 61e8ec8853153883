package dev.sluice.db;

import dev.sluice.common.Ids;
import dev.sluice.common.TokenEstimate;
import dev.sluice.db.job.NewJob;

/** Jobs for the db module's tests. */
final class TestJobs {

    private TestJobs() {}

    /** A synchronous facade call's job for the tenant: a single chat job of priority 10 on model {@code m}. */
    static NewJob facadeCall(String tenantId) {
        return new NewJob(
                Ids.job(),
                tenantId,
                null,
                null,
                null,
                "/v1/chat/completions",
                "m",
                "{}",
                10,
                null,
                null,
                TokenEstimate.UNKNOWN);
    }
}
