package dev.sluice.db;

import dev.sluice.common.Ids;
import dev.sluice.common.TokenEstimate;
import dev.sluice.db.job.NewJob;

/** Jobs for the db module's tests. */
public final class TestJobs {

    private TestJobs() {}

    /** A synchronous facade call's job for the tenant: a single chat job of priority 10 on model {@code m}. */
    static NewJob facadeCall(String tenantId) {
        return single(tenantId, "m");
    }

    /** A single chat job of priority 10 (a facade call's) on {@code model}, not yet stored. */
    public static NewJob single(String tenantId, String model) {
        return new NewJob(
                Ids.job(),
                tenantId,
                null,
                null,
                null,
                "/v1/chat/completions",
                model,
                "{}",
                10,
                null,
                null,
                TokenEstimate.UNKNOWN);
    }
}
