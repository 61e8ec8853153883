package dev.sluice.worker.execution;

import dev.sluice.common.Ids;
import dev.sluice.db.job.ClaimedJob;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.Outcome;
import dev.sluice.worker.WorkerProperties;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * This worker's side of a job's state in PostgreSQL: claiming it under a lease, and then either finishing it
 * or putting it back. Every step after the claim is conditional on still holding the lease; losing it (the
 * rescuer gave the job to another worker) is logged and otherwise normal.
 */
@Component
class JobClaims {

    private static final Logger log = LoggerFactory.getLogger(JobClaims.class);

    /**
     * A job this worker holds.
     *
     * @param job        what the claim returned
     * @param leaseUntil when the claim lapses
     */
    record Claim(ClaimedJob job, Instant leaseUntil) {
    }

    private final JobRepository jobs;
    private final TransactionTemplate transaction;
    private final InstantSource clock;
    private final Duration leaseDuration;
    private final String owner = "worker-" + ProcessHandle.current().pid() + "-" + Ids.random(4);

    JobClaims(JobRepository jobs, TransactionTemplate transaction, InstantSource clock, WorkerProperties properties) {
        this.jobs = jobs;
        this.transaction = transaction;
        this.clock = clock;
        this.leaseDuration = properties.lease().duration();
    }

    /** Claims the job if it is queued and due; empty when it is finished, running, backing off or unknown. */
    Optional<Claim> claim(String jobId) {
        Instant now = clock.instant();
        Instant leaseUntil = now.plus(leaseDuration);
        return jobs.claim(jobId, owner, leaseUntil, now).map(job -> new Claim(job, leaseUntil));
    }

    /**
     * How long until an unclaimable job may be claimed ({@link Duration#ZERO} when it is due), if it is queued;
     * empty when it is running, finished or unknown.
     */
    Optional<Duration> dueIn(String jobId) {
        // Adapter until not_before is compared on the database's clock (issue 13, the transitions branch).
        Instant now = clock.instant();
        return jobs.dueAt(jobId).map(due -> due.isAfter(now) ? Duration.between(now, due) : Duration.ZERO);
    }

    /** Stores the job's final outcome; false if the job was no longer this worker's. */
    boolean finish(Claim claim, boolean succeeded, Outcome outcome) {
        String id = claim.job().id();
        Instant now = clock.instant();
        boolean stored = succeeded ? jobs.markSucceeded(id, owner, outcome, now) : jobs.markFailed(id, owner, outcome, now);
        if (!stored) {
            log.warn("Job {} was no longer this worker's to finish (its lease ran out and it was rescued); "
                    + "this attempt's result is dropped", id);
        }
        return stored;
    }

    /**
     * Puts the job back to {@code queued}, not to be claimed before {@code delay} has passed, while the caller keeps its
     * message; marks it published in the same transaction, since that message stays in the broker and the api's
     * sweeper must not publish a second one. False if the job was no longer this worker's, or if it ended instead
     * because its batch is being cancelled or its batch's completion window has closed (the finalisation sweep then
     * settles the batch).
     */
    boolean putBack(Claim claim, Duration delay, boolean refundAttempt) {
        String id = claim.job().id();
        Instant retryAt = clock.instant().plus(delay);
        return Boolean.TRUE.equals(transaction.execute(status -> {
            if (!jobs.requeue(id, owner, retryAt, refundAttempt)) {
                log.warn("Job {} was no longer this worker's to re-queue (its lease ran out and it was rescued)", id);
                return false;
            }
            jobs.markPublished(List.of(id), clock.instant());
            if (jobs.cancelQueuedOfCancellingBatches(id, clock.instant()) == 1) {
                // Its batch was cancelled while it ran: it ends here instead of running again.
                log.info("Job {} was not re-queued: its batch is being cancelled", id);
                return false;
            }
            if (jobs.expireQueuedOfExpiredBatches(id, clock.instant()) == 1) {
                // Its batch's completion window closed while it ran: a retry would start it after the window.
                log.info("Job {} was not re-queued: its batch's completion window has closed", id);
                return false;
            }
            return true;
        }));
    }
}
