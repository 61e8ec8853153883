package dev.sluice.db.job;

import dev.sluice.common.JobStatus;

/**
 * The filters of {@code GET /admin/jobs} and of retrying by filter; a null field does not filter.
 *
 * @param status   the job status
 * @param model    the model
 * @param batchId  the batch
 * @param tenantId the tenant
 */
public record JobFilter(JobStatus status, String model, String batchId, String tenantId) {

    /** The same filter, restricted to {@code status}. */
    public JobFilter withStatus(JobStatus value) {
        return new JobFilter(value, model, batchId, tenantId);
    }
}
