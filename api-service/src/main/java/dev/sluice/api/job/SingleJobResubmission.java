package dev.sluice.api.job;

import dev.sluice.common.Endpoint;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.tenant.Tenant;
import org.springframework.stereotype.Component;

/**
 * Lets the admin API retry a single job (one submitted without a batch): a new single job of the same
 * tenant with the same request, priority and webhook, stored and published as {@code POST /v1/jobs}
 * does. The old job is not touched.
 */
@Component
public class SingleJobResubmission {

    private final JobService service;

    SingleJobResubmission(JobService service) {
        this.service = service;
    }

    /** The new job's id. */
    public String resubmit(Tenant tenant, JobRow job) {
        Endpoint endpoint = Endpoint.fromPath(job.url())
                .orElseThrow(() -> new IllegalStateException(
                        "job " + job.id() + " has endpoint " + job.url() + ", which Sluice does not run"));
        JobRequest request = new JobRequest(job.customId(), job.url(), job.model(), job.body());
        return service.create(
                        tenant,
                        new SingleJobReader.SingleJob(
                                request, endpoint, job.webhookUrl(), job.priority(), job.webhookEvents()),
                        null)
                .id();
    }
}
