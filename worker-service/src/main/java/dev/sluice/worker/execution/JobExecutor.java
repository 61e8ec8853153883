package dev.sluice.worker.execution;

import dev.sluice.common.JobMessage;
import dev.sluice.db.job.ClaimedJob;
import dev.sluice.db.job.Outcome;
import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.cache.ResponseCache;
import dev.sluice.worker.stream.StreamRelay;
import dev.sluice.worker.execution.JobClaims.Claim;
import dev.sluice.worker.finalization.BatchFinalizer;
import dev.sluice.worker.metrics.JobMetrics;
import dev.sluice.worker.pacing.GlobalPacer;
import dev.sluice.worker.pacing.Grant;
import dev.sluice.worker.upstream.Attempt;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs the job a message names, starting from a pacer grant the intake already holds:
 * claim → send → store, while the caller keeps the message unacked.
 *
 * <ul>
 *   <li>The claim comes first after the grant, so a duplicate message (the job is running elsewhere or
 *       finished) costs one UPDATE, gives its grant back and makes no upstream call.</li>
 *   <li>A job to be tried again (a transient failure with attempts left, or a 429) goes back to
 *       {@code queued} with its {@code not_before}, and this call <em>keeps its message</em>: it waits until
 *       the job is due, asks the pacer again and claims it again. The broker holds the unacked message
 *       meanwhile, so a crash hands it to another worker.</li>
 *   <li>A message that arrives while its job is queued but not yet due (a redelivery during a backoff) is
 *       held the same way until the job is due; it never spins.</li>
 * </ul>
 *
 * When {@link #execute} returns, the job is finished (stored and committed) or no longer this message's
 * business, and the message may be acked.
 */
@Component
public class JobExecutor {

    private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);

    private final JobClaims claims;
    private final GlobalPacer pacer;
    private final BatchFinalizer finalizer;
    private final RateLimitLog rateLimits;
    private final ResponseCache cache;
    private final StreamRelay relay;
    private final InstantSource clock;
    private final MeterRegistry meters;
    private final JobMetrics metrics;
    private final Backoff backoff;
    private final int maxAttempts;
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();

    JobExecutor(JobClaims claims, GlobalPacer pacer, BatchFinalizer finalizer,
            RateLimitLog rateLimits, InstantSource clock, MeterRegistry meters, WorkerProperties properties,
            JobMetrics metrics, ResponseCache cache, StreamRelay relay) {
        this.cache = cache;
        this.relay = relay;
        this.claims = claims;
        this.pacer = pacer;
        this.finalizer = finalizer;
        this.rateLimits = rateLimits;
        this.clock = clock;
        this.meters = meters;
        this.metrics = metrics;
        this.backoff = new Backoff(properties.retry());
        this.maxAttempts = properties.retry().maxAttempts();
    }

    /**
     * Runs the job under {@code grant} until it is finished or not this message's to run; the grant is
     * used or given back. Returns when the message may be acked.
     */
    public void execute(JobMessage message, Grant grant) throws InterruptedException {
        Grant current = grant;
        while (true) {
            Optional<Instant> again = runIfClaimable(message.jobId(), current);
            if (again.isEmpty()) {
                return;
            }
            waitUntil(again.get());
            current = pacer.acquire(message.model());
        }
    }

    /** Empty when done with the job; otherwise when to try it again. The grant is always consumed. */
    private Optional<Instant> runIfClaimable(String jobId, Grant grant) throws InterruptedException {
        Optional<Claim> claim;
        try {
            claim = claims.claim(jobId);
        } catch (RuntimeException e) {
            pacer.cancel(grant);
            throw e;
        }
        if (claim.isEmpty()) {
            pacer.cancel(grant);
            Optional<Instant> due = claims.dueIn(jobId).map(clock.instant()::plus);
            if (due.isEmpty()) {
                log.debug("Job {} is running elsewhere, finished or unknown: its message is a duplicate", jobId);
            } else {
                log.debug("Job {} is backing off until {}: holding its message until then", jobId, due.get());
            }
            return due;
        }
        Optional<Outcome> cached = cache.lookup(claim.get().job());
        if (cached.isPresent()) {
            // Answered without a provider call: the grant goes back unused.
            pacer.cancel(grant);
            return finish(claim.get(), true, cached.get());
        }
        if (pacer.isStale(grant)) {
            // Too long since the grant (a slow claim, a pause): sending now could crowd the provider's window.
            // Nothing was sent, so the grant goes back and the job waits for a fresh one.
            pacer.cancel(grant);
            return retryAt(claim.get(), clock.instant(), true);
        }
        return run(claim.get(), grant);
    }

    private Optional<Instant> run(Claim claim, Grant grant) throws InterruptedException {
        ClaimedJob job = claim.job();
        CompletableFuture<Long> sentAt = new CompletableFuture<>();
        sentAt.thenAcceptAsync(nanos -> pacer.sent(grant, nanos), background);
        Attempt attempt;
        try {
            attempt = relay.call(grant.credential().apiKey(), job, sentAt::complete);
        } catch (InterruptedException e) {
            // Shutting down: hand the job back now rather than at the end of its lease.
            claims.putBack(claim, Duration.ZERO, true);
            Thread.currentThread().interrupt();
            throw e;
        } finally {
            pacer.release(grant);
        }
        meters.counter("sluice.attempts", "model", job.model(), "outcome", kind(attempt)).increment();
        metrics.attempt(job.model(), attempt);
        Instant now = clock.instant();
        return switch (attempt) {
            case Attempt.Success success -> {
                Outcome outcome = Outcomes.succeeded(success);
                cache.store(job, outcome);
                yield finish(claim, true, outcome);
            }
            case Attempt.Permanent refusal -> {
                log.info("Job {} failed: the provider refused it with HTTP {}", job.id(), refusal.status());
                yield finish(claim, false, Outcomes.failed(refusal));
            }
            case Attempt.Transient failure when job.attempts() < maxAttempts -> {
                // The provider's Retry-After, when longer than our backoff, is the one to honour.
                Duration wait = backoff.after(job.attempts());
                Duration asked = failure.retryAfter().orElse(Duration.ZERO);
                Instant retryAt = now.plus(asked.compareTo(wait) > 0 ? asked : wait);
                log.info("Job {} attempt {} of {} failed ({}); retrying at {}", job.id(), job.attempts(), maxAttempts,
                        failure.message(), retryAt);
                metrics.retried(job);
                yield retryAt(claim, retryAt, false);
            }
            case Attempt.Transient failure -> {
                log.info("Job {} failed after {} attempts: {}", job.id(), job.attempts(), failure.message());
                yield finish(claim, false, Outcomes.failed(failure));
            }
            case Attempt.RateLimited limited -> retryAt(claim, rateLimits.record(grant, job, limited), true);
        };
    }

    private Optional<Instant> finish(Claim claim, boolean succeeded, Outcome outcome) {
        String batchId = claim.job().batchId();
        metrics.finished(claim.job(), succeeded, outcome);
        if (claims.finish(claim, succeeded, outcome) && batchId != null) {
            finalizer.afterJobFinished(batchId);
        }
        return Optional.empty();
    }

    private Optional<Instant> retryAt(Claim claim, Instant retryAt, boolean refundAttempt) {
        return claims.putBack(claim, Duration.between(clock.instant(), retryAt), refundAttempt)
                ? Optional.of(retryAt) : Optional.empty();
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
