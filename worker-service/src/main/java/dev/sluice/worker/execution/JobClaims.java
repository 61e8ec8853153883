package dev.sluice.worker.execution;

import dev.sluice.common.Ids;
import dev.sluice.db.job.ClaimedJob;
import dev.sluice.db.job.JobTransitions;
import dev.sluice.db.job.Outcome;
import dev.sluice.worker.WorkerProperties;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * This worker's side of a job's state in PostgreSQL: claiming it under a lease, and then either finishing it
 * or putting it back. The lease owner is the claim itself (a random token per claim, not the process), and the
 * lease and any backoff are reckoned on the database's clock, so a worker whose clock is off neither cuts a lease
 * short nor runs a job early. Every step after the claim is conditional on still holding that claim; losing it
 * (the rescuer re-queued the job after its lease lapsed) is logged and otherwise normal.
 */
@Component
class JobClaims {

    private static final Logger log = LoggerFactory.getLogger(JobClaims.class);

    /**
     * A job this worker holds.
     *
     * @param job   what the claim returned
     * @param token the claim's token, the job's {@code lease_owner} while this claim holds it
     */
    record Claim(ClaimedJob job, String token) {}

    private final JobTransitions jobs;
    private final TransactionTemplate transaction;
    private final InstantSource clock;
    private final Duration leaseDuration;
    private final String worker = "worker-" + ProcessHandle.current().pid() + "-" + Ids.random(4);

    JobClaims(JobTransitions jobs, TransactionTemplate transaction, InstantSource clock, WorkerProperties properties) {
        this.jobs = jobs;
        this.transaction = transaction;
        this.clock = clock;
        this.leaseDuration = properties.lease().duration();
    }

    /** Claims the job if it is queued and due; empty when it is finished, running, backing off or unknown. */
    Optional<Claim> claim(String jobId) {
        // Unique per claim, so a later claim of the same job by this very worker is not mistaken for this one;
        // the worker's name in it is for people reading the table.
        String token = worker + "/" + Ids.random(8);
        return jobs.claim(jobId, token, leaseDuration).map(job -> new Claim(job, token));
    }

    /**
     * How long until an unclaimable job may be claimed ({@link Duration#ZERO} when it is due), if it is queued;
     * empty when it is running, finished or unknown.
     */
    Optional<Duration> dueIn(String jobId) {
        return jobs.dueIn(jobId);
    }

    /** Stores the job's final outcome; false if the job was no longer this claim's. */
    boolean finish(Claim claim, boolean succeeded, Outcome outcome) {
        String id = claim.job().id();
        boolean stored = succeeded
                ? jobs.markSucceeded(id, claim.token(), outcome, clock.instant())
                : jobs.markFailed(id, claim.token(), outcome, clock.instant());
        if (!stored) {
            log.warn(
                    "Job {} was no longer this worker's to finish (its lease ran out and it was rescued); "
                            + "this attempt's result is dropped",
                    id);
        }
        return stored;
    }

    /**
     * Puts the job back to {@code queued}, not to be claimed before {@code delay} has passed on the database's clock,
     * while the caller keeps its message (so {@code published_at} is left alone: that message is still the job's).
     * False if the job was no longer this claim's, or if it ended instead because its batch is being cancelled or its
     * batch's completion window has closed (the finalisation sweep then settles the batch).
     */
    boolean putBack(Claim claim, Duration delay, boolean refundAttempt) {
        String id = claim.job().id();
        return Boolean.TRUE.equals(transaction.execute(status -> {
            if (!jobs.requeue(id, claim.token(), delay, refundAttempt)) {
                log.warn("Job {} was no longer this worker's to re-queue (its lease ran out and it was rescued)", id);
                return false;
            }
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
