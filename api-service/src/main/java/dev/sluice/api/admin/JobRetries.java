package dev.sluice.api.admin;

import dev.sluice.api.batch.BatchResubmission;
import dev.sluice.api.job.SingleJobResubmission;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.PageQuery;
import dev.sluice.common.JobStatus;
import dev.sluice.db.job.AdminJobRepository;
import dev.sluice.db.job.JobFilter;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.tenant.Tenant;
import dev.sluice.db.tenant.TenantRepository;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;

/**
 * Retries failed jobs for an operator by the tenant-facing retry paths, so a retry is an ordinary new
 * submission of the job's tenant: failed jobs of a batch become one new batch per old batch, exactly as
 * {@code POST /v1/batches/{id}/retry} makes it ({@code retry_of} in its metadata); a failed single job
 * becomes a new single job. The failed jobs stay as they are, so retrying them again makes new copies again.
 */
@Service
class JobRetries {

    /** Failed jobs retried by one call at most; {@code has_more} tells that more match. */
    static final int MAX_PER_CALL = 1000;

    private final AdminJobRepository jobs;
    private final TenantRepository tenants;
    private final BatchResubmission batchRetry;
    private final SingleJobResubmission singleRetry;

    JobRetries(AdminJobRepository jobs, TenantRepository tenants, BatchResubmission batchRetry,
            SingleJobResubmission singleRetry) {
        this.jobs = jobs;
        this.tenants = tenants;
        this.batchRetry = batchRetry;
        this.singleRetry = singleRetry;
    }

    /** Retries one job, which must exist and have failed. */
    AdminJobViews.Retried retryOne(String jobId) {
        if (!PageQuery.plausibleId(jobId)) {
            throw ApiException.notFound("job", jobId);
        }
        List<JobRow> found = jobs.one(jobId).stream().toList();
        if (found.isEmpty()) {
            throw ApiException.notFound("job", jobId);
        }
        JobRow job = found.getFirst();
        if (job.status() != JobStatus.FAILED) {
            throw ApiException.conflict("job_not_retryable", "job " + jobId + " is " + job.status().wire()
                    + "; only failed jobs are retried.");
        }
        return retry(found, false);
    }

    /** Retries up to {@link #MAX_PER_CALL} failed jobs matching {@code filter}, oldest first. */
    AdminJobViews.Retried retryMatching(JobFilter filter) {
        List<JobRow> failed = jobs.failed(filter, MAX_PER_CALL + 1);
        boolean hasMore = failed.size() > MAX_PER_CALL;
        return retry(hasMore ? failed.subList(0, MAX_PER_CALL) : failed, hasMore);
    }

    private AdminJobViews.Retried retry(List<JobRow> failed, boolean hasMore) {
        Map<String, List<JobRow>> byBatch = new LinkedHashMap<>();
        List<String> newJobs = new ArrayList<>();
        for (JobRow job : failed) {
            if (job.batchId() == null) {
                newJobs.add(singleRetry.resubmit(tenant(job), job));
            } else {
                byBatch.computeIfAbsent(job.batchId(), id -> new ArrayList<>()).add(job);
            }
        }
        List<String> newBatches = new ArrayList<>();
        for (List<JobRow> ofBatch : byBatch.values()) {
            JobRow first = ofBatch.getFirst();
            // In line order, as the new batch numbers its lines.
            ofBatch.sort(Comparator.comparing(JobRow::lineNo));
            newBatches.add(batchRetry.resubmit(tenant(first), first.batchId(), ofBatch));
        }
        return new AdminJobViews.Retried("admin.job_retry", failed.size(), newBatches, newJobs, hasMore);
    }

    private Tenant tenant(JobRow job) {
        return tenants.findById(job.tenantId()).orElseThrow(() -> new IllegalStateException(
                "job " + job.id() + " names tenant " + job.tenantId() + ", which does not exist"));
    }
}
