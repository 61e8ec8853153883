package dev.sluice.worker.execution;

import dev.sluice.common.JobMessage;
import dev.sluice.db.job.ClaimedJob;
import dev.sluice.db.job.Outcome;
import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.execution.JobClaims.Claim;
import dev.sluice.worker.finalization.BatchFinalizer;
import dev.sluice.worker.pacing.Pacer;
import dev.sluice.worker.pacing.Pacers;
import dev.sluice.worker.upstream.Attempt;
import dev.sluice.worker.upstream.UpstreamClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs the job a message names: claim → pace → call → store, while the caller holds the message unacked.
 *
 * <ul>
 *   <li>The claim comes first, so a duplicate message (the job is running elsewhere or finished) costs one
 *       UPDATE and no upstream call.</li>
 *   <li>A job to be tried again (a transient failure with attempts left, or a 429) goes back to {@code queued}
 *       with its {@code not_before}, and this call <em>keeps its message</em>: it waits until the job is due and
 *       claims it again. The broker holds the unacked message meanwhile, so a crash hands it to another worker.</li>
 *   <li>A message that arrives while its job is queued but not yet due (a redelivery during a backoff) is held
 *       the same way until the job is due; it never spins.</li>
 * </ul>
 *
 * When {@link #execute} returns, the job is finished (stored and committed) or no longer this message's
 * business, and the message may be acked.
 */
@Component
public class JobExecutor {

    private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);

    private final JobClaims claims;
    private final Pacers pacers;
    private final UpstreamClient upstream;
    private final BatchFinalizer finalizer;
    private final InstantSource clock;
    private final MeterRegistry meters;
    private final Backoff backoff;
    private final Duration safetyMargin;
    private final Duration longestCall;
    private final int maxAttempts;

    JobExecutor(JobClaims claims, Pacers pacers, UpstreamClient upstream, BatchFinalizer finalizer, InstantSource clock,
            MeterRegistry meters, WorkerProperties properties) {
        this.claims = claims;
        this.pacers = pacers;
        this.upstream = upstream;
        this.finalizer = finalizer;
        this.clock = clock;
        this.meters = meters;
        this.backoff = new Backoff(properties.retry());
        this.safetyMargin = properties.pacing().safetyMargin();
        this.longestCall = properties.upstream().connectTimeout().plus(properties.upstream().readTimeout());
        this.maxAttempts = properties.retry().maxAttempts();
    }

    /** Runs the job until it is finished or not this message's to run; returns when the message may be acked. */
    public void execute(JobMessage message) throws InterruptedException {
        Optional<Instant> again = runIfClaimable(message.jobId());
        while (again.isPresent()) {
            waitUntil(again.get());
            again = runIfClaimable(message.jobId());
        }
    }

    /** Empty when done with the job; otherwise when to try to claim it again. */
    private Optional<Instant> runIfClaimable(String jobId) throws InterruptedException {
        Optional<Claim> claim = claims.claim(jobId);
        if (claim.isPresent()) {
            return run(claim.get());
        }
        Optional<Instant> due = claims.dueAt(jobId);
        if (due.isEmpty()) {
            log.debug("Job {} is running elsewhere, finished or unknown: its message is a duplicate", jobId);
        } else {
            log.debug("Job {} is backing off until {}: holding its message until then", jobId, due.get());
        }
        return due;
    }

    private Optional<Instant> run(Claim claim) throws InterruptedException {
        ClaimedJob job = claim.job();
        Pacer pacer = pacers.forModel(job.model());
        Attempt attempt;
        try {
            pacer.acquire();
            if (clock.instant().plus(longestCall).isAfter(claim.leaseUntil())) {
                // The wait for a slot ate so much of the lease that the rescuer could hand the job to another
                // worker mid-call, and the provider would see it twice. Leases are not renewed yet: start over.
                log.warn("Job {} waited for its model's pace until its lease could no longer cover a call; "
                        + "re-queueing it", job.id());
                return retryAt(claim, clock.instant(), true);
            }
            attempt = upstream.call(job.url(), job.body());
        } catch (InterruptedException e) {
            // Shutting down: hand the job back now rather than at the end of its lease.
            claims.putBack(claim, clock.instant(), true);
            Thread.currentThread().interrupt();
            throw e;
        }
        meters.counter("sluice.attempts", "model", job.model(), "outcome", kind(attempt)).increment();
        Instant now = clock.instant();
        return switch (attempt) {
            case Attempt.Success success -> finish(claim, true, Outcomes.succeeded(success));
            case Attempt.Permanent refusal -> {
                log.info("Job {} failed: the provider refused it with HTTP {}", job.id(), refusal.status());
                yield finish(claim, false, Outcomes.failed(refusal));
            }
            case Attempt.Transient failure when job.attempts() < maxAttempts -> {
                Instant retryAt = now.plus(backoff.after(job.attempts()));
                log.info("Job {} attempt {} of {} failed ({}); retrying at {}", job.id(), job.attempts(), maxAttempts,
                        failure.message(), retryAt);
                yield retryAt(claim, retryAt, false);
            }
            case Attempt.Transient failure -> {
                log.info("Job {} failed after {} attempts: {}", job.id(), job.attempts(), failure.message());
                yield finish(claim, false, Outcomes.failed(failure));
            }
            case Attempt.RateLimited limited -> rateLimited(claim, pacer, limited, now);
        };
    }

    /**
     * A 429 pauses the whole model until the provider's window has cleared: at least one window (the learned
     * one, else the one in force) plus the margin, longer if the provider asked for longer. The job goes back
     * without using an attempt.
     */
    private Optional<Instant> rateLimited(Claim claim, Pacer pacer, Attempt.RateLimited limited, Instant now) {
        limited.learnedLimit().ifPresent(pacer::learn);
        Duration window = limited.learnedLimit().orElse(pacer.limit()).window().plus(safetyMargin);
        Duration asked = limited.retryAfter().orElse(Duration.ZERO);
        Instant resumeAt = now.plus(asked.compareTo(window) > 0 ? asked : window);
        pacer.pauseUntil(resumeAt);
        log.warn("Model {} answered 429 for job {} (limit stated: {}, retry-after: {}); pausing the model until {}",
                claim.job().model(), claim.job().id(), limited.learnedLimit().map(Object::toString).orElse("none"),
                limited.retryAfter().map(Duration::toString).orElse("none"), resumeAt);
        return retryAt(claim, resumeAt, true);
    }

    private Optional<Instant> finish(Claim claim, boolean succeeded, Outcome outcome) {
        String batchId = claim.job().batchId();
        if (claims.finish(claim, succeeded, outcome) && batchId != null) {
            finalizer.afterJobFinished(batchId);
        }
        return Optional.empty();
    }

    private Optional<Instant> retryAt(Claim claim, Instant retryAt, boolean refundAttempt) {
        return claims.putBack(claim, retryAt, refundAttempt) ? Optional.of(retryAt) : Optional.empty();
    }

    private void waitUntil(Instant due) throws InterruptedException {
        Duration wait = Duration.between(clock.instant(), due);
        if (wait.isPositive()) {
            Thread.sleep(wait);
        }
    }

    private static String kind(Attempt attempt) {
        return switch (attempt) {
            case Attempt.Success s -> "success";
            case Attempt.RateLimited r -> "rate_limited";
            case Attempt.Transient t -> "transient";
            case Attempt.Permanent p -> "permanent";
        };
    }
}
