package dev.sluice.worker.rescue;

import dev.sluice.db.job.JobTransitions;
import dev.sluice.db.job.JobTransitions.LostJob;
import dev.sluice.worker.WorkerProperties;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Takes back the jobs of dead (or stalled) workers: a running job whose lease lapsed on the database's clock goes
 * back to {@code queued} with {@code rescued_at} set, and the api-service's publish sweeper sends it a new message;
 * one whose lease lapsed on its last allowed attempt ({@code sluice.retry.max-attempts}) fails with
 * {@code worker_lost} instead, so a request that kills every worker running it ends; its batch is then counted and
 * finalised by the next finalisation sweep, as any batch whose last job ended without its worker. Any worker may run
 * it; the UPDATEs skip rows another rescuer has locked.
 */
@Component
public class LeaseRescuer {

    private static final Logger log = LoggerFactory.getLogger(LeaseRescuer.class);

    private final JobTransitions jobs;
    private final int maxAttempts;
    private final int batchSize;

    LeaseRescuer(JobTransitions jobs, WorkerProperties properties) {
        this.jobs = jobs;
        this.maxAttempts = properties.retry().maxAttempts();
        this.batchSize = properties.rescue().batchSize();
    }

    /**
     * Re-queues, or fails when it was their last attempt, the jobs whose lease has lapsed, up to the batch size each;
     * returns how many.
     */
    public int runOnce() {
        int requeued = jobs.requeueLapsed(maxAttempts, batchSize);
        if (requeued > 0) {
            log.warn("Re-queued {} running job(s) whose worker's lease lapsed", requeued);
        }
        List<LostJob> lost = jobs.failLapsed(maxAttempts, batchSize);
        for (LostJob job : lost) {
            // The same event as any other failed job (JobMetrics), so one log query finds them all.
            log.atWarn()
                    .setMessage("Job {} of batch {} failed: model={} attempts={} response_status={} error_code={}: "
                            + "the lease of its last allowed attempt lapsed")
                    .addArgument(job.id())
                    .addArgument(job.batchId())
                    .addArgument(job.model())
                    .addArgument(job.attempts())
                    .addArgument((Object) null)
                    .addArgument(JobTransitions.WORKER_LOST)
                    .addKeyValue("event", "job_failed")
                    .addKeyValue("job_id", job.id())
                    .addKeyValue("batch_id", job.batchId())
                    .addKeyValue("model", job.model())
                    .addKeyValue("attempts", job.attempts())
                    .addKeyValue("error_code", JobTransitions.WORKER_LOST)
                    .log();
        }
        return requeued + lost.size();
    }
}
