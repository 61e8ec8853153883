package dev.sluice.api.facade;

import dev.sluice.common.JobStatus;
import dev.sluice.db.job.JobRow;

/**
 * What a facade call's answer is made of: its finished job's id, status, the provider's status and body if it
 * answered, and Sluice's error code and message if not. Read from the job's row, or carried by the notification of
 * its end when the job succeeded with an answer small enough to travel in it ({@link JobWaiters}).
 */
record FinishedCall(
        String id,
        JobStatus status,
        Integer responseStatus,
        String responseBody,
        String errorCode,
        String errorMessage) {

    static FinishedCall of(JobRow job) {
        return new FinishedCall(
                job.id(), job.status(), job.responseStatus(), job.responseBody(), job.errorCode(), job.errorMessage());
    }

    /** A job that succeeded with the provider's {@code responseStatus} and {@code responseBody}. */
    static FinishedCall answered(String id, int responseStatus, String responseBody) {
        return new FinishedCall(id, JobStatus.SUCCEEDED, responseStatus, responseBody, null, null);
    }
}
