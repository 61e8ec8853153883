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
import dev.sluice.db.tenant.TenantEntityRepository;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.stereotype.Service;

/**
 * Retries failed jobs for an operator by the tenant-facing retry paths, so a retry is an ordinary new
 * submission of the job's tenant: failed jobs of a batch become one new batch per old batch, exactly as
 * {@code POST /v1/batches/{id}/retry} makes it ({@code retry_of} in its metadata); a failed single job
 * becomes a new single job. The failed jobs stay failed; each is claimed for its retry first ({@code retried_at})
 * and then names what it was retried as ({@code retried_as}), so it is retried once: retrying by filter skips it,
 * and retrying it alone again is a 409 naming the new batch or job. If storing the resubmission fails, its jobs
 * are given back for a later retry.
 */
@Service
class JobRetries {

    /** Failed jobs retried by one call at most; {@code has_more} tells that more match. */
    static final int MAX_PER_CALL = 1000;

    private final AdminJobRepository jobs;
    private final TenantEntityRepository tenants;
    private final BatchResubmission batchRetry;
    private final SingleJobResubmission singleRetry;
    private final Clock clock;

    JobRetries(
            AdminJobRepository jobs,
            TenantEntityRepository tenants,
            BatchResubmission batchRetry,
            SingleJobResubmission singleRetry,
            Clock clock) {
        this.clock = clock;
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
            throw ApiException.conflict(
                    "job_not_retryable",
                    "job " + jobId + " is " + job.status().wire() + "; only failed jobs are retried.");
        }
        if (job.body() == null) {
            throw ApiException.gone(
                    "content_expired",
                    "job " + jobId + " cannot be retried: its request was removed when its retention period ran out.");
        }
        AdminJobViews.Retried retried = retry(found, false);
        if (retried.retried() == 0) {
            throw alreadyRetried(jobId);
        }
        return retried;
    }

    /** Retries up to {@code limit} failed jobs matching {@code filter} that were not retried yet, oldest first. */
    AdminJobViews.Retried retryMatching(JobFilter filter, int limit) {
        List<JobRow> failed = jobs.failed(filter, limit + 1);
        boolean hasMore = failed.size() > limit;
        return retry(hasMore ? failed.subList(0, limit) : failed, hasMore);
    }

    private AdminJobViews.Retried retry(List<JobRow> failed, boolean hasMore) {
        Map<String, List<JobRow>> byBatch = new LinkedHashMap<>();
        List<String> newJobs = new ArrayList<>();
        int retried = 0;
        for (JobRow job : failed) {
            if (job.batchId() == null) {
                List<JobRow> claimed = claim(List.of(job));
                if (!claimed.isEmpty()) {
                    newJobs.add(resubmit(claimed, () -> singleRetry.resubmit(tenant(job), job)));
                    retried++;
                }
            } else {
                byBatch.computeIfAbsent(job.batchId(), id -> new ArrayList<>()).add(job);
            }
        }
        List<String> newBatches = new ArrayList<>();
        for (List<JobRow> ofBatch : byBatch.values()) {
            // Only the jobs no concurrent retry took; in line order, as the new batch numbers its lines.
            List<JobRow> claimed = new ArrayList<>(claim(ofBatch));
            if (claimed.isEmpty()) {
                continue;
            }
            claimed.sort(Comparator.comparing(JobRow::lineNo));
            JobRow first = claimed.getFirst();
            newBatches.add(resubmit(claimed, () -> batchRetry.resubmit(tenant(first), first.batchId(), claimed)));
            retried += claimed.size();
        }
        return new AdminJobViews.Retried("admin.job_retry", retried, newBatches, newJobs, hasMore);
    }

    /** The jobs of {@code candidates} this retry claimed; the others were retried by another call meanwhile. */
    private List<JobRow> claim(List<JobRow> candidates) {
        Set<String> claimed =
                jobs.claimRetry(candidates.stream().map(JobRow::id).toList(), clock.instant());
        return candidates.stream().filter(job -> claimed.contains(job.id())).toList();
    }

    /** Stores the resubmission of the claimed jobs and records its id on them; gives them back if it fails. */
    private String resubmit(List<JobRow> claimed, Supplier<String> store) {
        List<String> ids = claimed.stream().map(JobRow::id).toList();
        String newId;
        try {
            newId = store.get();
        } catch (RuntimeException e) {
            jobs.releaseRetry(ids);
            throw e;
        }
        jobs.linkRetry(ids, newId);
        return newId;
    }

    private ApiException alreadyRetried(String jobId) {
        String as = jobs.retriedAs(jobId).orElse("");
        return ApiException.conflict(
                "job_already_retried",
                "job " + jobId + (as.isEmpty() ? " is being retried right now" : " was already retried as " + as)
                        + "; it is retried once.");
    }

    private Tenant tenant(JobRow job) {
        return tenants.findById(job.tenantId())
                .orElseThrow(() -> new IllegalStateException(
                        "job " + job.id() + " names tenant " + job.tenantId() + ", which does not exist"));
    }
}
