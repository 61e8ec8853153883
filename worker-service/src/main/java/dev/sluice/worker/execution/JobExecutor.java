package dev.sluice.worker.execution;

import dev.sluice.common.JobMessage;
import dev.sluice.common.TokenEstimate;
import dev.sluice.db.Pipelined;
import dev.sluice.db.job.ClaimedJob;
import dev.sluice.db.job.Outcome;
import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.cache.ResponseCache;
import dev.sluice.worker.execution.JobClaims.Claim;
import dev.sluice.worker.execution.RetryPolicy.Decision;
import dev.sluice.worker.finalization.BatchFinalizer;
import dev.sluice.worker.metrics.JobMetrics;
import dev.sluice.worker.pacing.GlobalPacer;
import dev.sluice.worker.pacing.Grant;
import dev.sluice.worker.pacing.ModelLimits;
import dev.sluice.worker.pacing.Sleeper;
import dev.sluice.worker.stream.StreamRelay;
import dev.sluice.worker.upstream.Attempt;
import dev.sluice.worker.upstream.TokenUsage;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Runs the job a message names, starting from a pacer grant the intake already holds:
 * claim → wait for the grant's slot → call → decide ({@link RetryPolicy}) → apply, while the caller keeps the message
 * unacked. A grant made in advance ({@link GlobalPacer#awaitSlot}) lets the claim happen before the slot opens, so
 * the call leaves when it does.
 *
 * <ul>
 *   <li>The claim comes with the grant (the dispatcher's take claims the jobs it granted, {@link #claimNow}) or
 *       first after it, so a duplicate message (the job is running elsewhere or finished) costs one UPDATE, gives
 *       its grant back and makes no upstream call.</li>
 *   <li>A job to be tried again (a transient failure with attempts left, or a 429) goes back to
 *       {@code queued} with its {@code not_before} (the database's clock plus the policy's delay), and this
 *       call <em>keeps its message</em>: it waits out the delay (through an injected sleeper, so tests can
 *       record or tick it), asks the pacer again and claims it again. The broker holds the unacked message
 *       meanwhile, so a crash hands it to another worker.</li>
 *   <li>A message that arrives while its job is queued but not yet due (a redelivery during a backoff) is
 *       held the same way until the job is due; it never spins.</li>
 *   <li>A job due again at once (its grant went stale before it could leave, or it was found queued and due) is
 *       put back and its message handed back to its lane, to be taken with a later burst.</li>
 * </ul>
 *
 * When {@link #execute} returns true, the job is finished (stored and committed) or no longer this message's
 * business, and the message may be acked; when it returns false, the message goes back to its queue.
 */
@Component
public class JobExecutor {

    private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);

    private final JobClaims claims;
    private final GlobalPacer pacer;
    private final ModelLimits limits;
    private final BatchFinalizer finalizer;
    private final RateLimitLog rateLimits;
    private final ResponseCache cache;
    private final StreamRelay relay;
    private final MeterRegistry meters;
    private final JobMetrics metrics;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final DoubleSupplier roll;
    private final BatchEndChecks batchEnds;
    private final SendTimes sendTimes;
    private final DatabaseTurns database;
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();

    @Autowired
    JobExecutor(
            JobClaims claims,
            GlobalPacer pacer,
            ModelLimits limits,
            BatchFinalizer finalizer,
            RateLimitLog rateLimits,
            MeterRegistry meters,
            WorkerProperties properties,
            JobMetrics metrics,
            ResponseCache cache,
            StreamRelay relay,
            Sleeper sleeper,
            DatabaseTurns database) {
        this.cache = cache;
        this.relay = relay;
        this.claims = claims;
        this.pacer = pacer;
        this.limits = limits;
        this.finalizer = finalizer;
        this.rateLimits = rateLimits;
        this.meters = meters;
        this.metrics = metrics;
        this.policy = new RetryPolicy(properties.retry());
        this.sleeper = sleeper;
        this.roll = () -> ThreadLocalRandom.current().nextDouble();
        this.batchEnds = new BatchEndChecks(finalizer::afterJobFinished);
        this.sendTimes = new SendTimes(pacer::sentAll);
        this.database = database;
    }

    /** {@code parts}' collaborators and policy, waiting with {@code sleeper} and rolling backoffs with {@code roll}. */
    private JobExecutor(JobExecutor parts, Sleeper sleeper, DoubleSupplier roll) {
        this.cache = parts.cache;
        this.relay = parts.relay;
        this.claims = parts.claims;
        this.pacer = parts.pacer;
        this.limits = parts.limits;
        this.finalizer = parts.finalizer;
        this.rateLimits = parts.rateLimits;
        this.meters = parts.meters;
        this.metrics = parts.metrics;
        this.policy = parts.policy;
        this.sleeper = sleeper;
        this.roll = roll;
        this.batchEnds = parts.batchEnds;
        this.sendTimes = parts.sendTimes;
        this.database = parts.database;
    }

    /** An executor of the same parts that waits with {@code sleeper} and rolls backoffs with {@code roll} (tests). */
    JobExecutor pacedBy(Sleeper sleeper, DoubleSupplier roll) {
        return new JobExecutor(this, sleeper, roll);
    }

    /**
     * A job claimed for its message before its executor started ({@link #claimNow}); what it holds is this package's.
     */
    public static final class Claimed {
        private final Claim claim;

        private Claimed(Claim claim) {
            this.claim = claim;
        }

        private Claim claim() {
            return claim;
        }
    }

    /**
     * Claims the messages' jobs in the caller's transaction, in one statement: the dispatcher's take, right after it
     * granted them, so the claims commit with the grants and each job's thread starts with its claim in hand (it
     * used to claim on its own, one transaction more between a grant and its send). Aligned with {@code messages};
     * empty for a job not claimed here (not queued and due, its row locked elsewhere right now, or a second message of
     * the same job), which {@link #execute(JobMessage, Grant, Optional)} claims on its own as before. A claim whose
     * executor will not start goes back through {@link #handBack}; if the worker dies first, the job is re-queued when
     * its lease runs out, as after any crash. {@code before} and {@code after}, statements of the caller's transaction
     * (the take's budget write and its commit), go in the claim's round trip, and alone when there is nothing to claim.
     */
    public List<Optional<Claimed>> claimNow(
            List<JobMessage> messages, Pipelined.Statement before, Pipelined.Statement after) {
        return claims.claimNow(messages.stream().map(JobMessage::jobId).toList(), before, after).stream()
                .map(claim -> claim.map(Claimed::new))
                .toList();
    }

    /**
     * Puts back the jobs claimed by {@link #claimNow} whose executors will not start (the dispatcher failed or is
     * stopping before it handed them over): each goes back to {@code queued}, due at once and with its attempt
     * refunded, for its message's redelivery. One the database does not take back now is re-queued when its lease runs out.
     */
    public void handBack(List<Optional<Claimed>> claimed) {
        for (Optional<Claimed> one : claimed) {
            one.ifPresent(c -> {
                try {
                    claims.putBack(c.claim(), Duration.ZERO, true);
                } catch (RuntimeException e) {
                    log.debug(
                            "Could not hand back job {} ({}); it is re-queued when its lease runs out",
                            c.claim().job().id(),
                            e.toString());
                }
            });
        }
    }

    /**
     * Runs the job under {@code grant} until it is finished or not this message's to run; the grant is
     * used or given back. Returns true when the message may be acked, false when it is to go back to its queue (the
     * job is queued and due: it runs again from the next message taken).
     */
    public boolean execute(JobMessage message, Grant grant) throws InterruptedException {
        return execute(message, grant, Optional.empty());
    }

    /**
     * As {@link #execute(JobMessage, Grant)}, for a job that may already be claimed for this message ({@link
     * #claimNow}): then its first run starts from that claim instead of claiming.
     */
    public boolean execute(JobMessage message, Grant grant, Optional<Claimed> claimed) throws InterruptedException {
        Grant current = grant;
        Optional<Claim> first = claimed.map(Claimed::claim);
        while (true) {
            Optional<Duration> again = runIfClaimable(message, current, first);
            first = Optional.empty();
            if (again.isEmpty()) {
                return true;
            }
            if (!again.get().isPositive()) {
                // Due again at once (its grant went stale before it could leave): the message goes back to its lane
                // and leaves with a later burst, granted with it in one decision, rather than this job asking the
                // pacer on its own (under load, many such jobs asking one by one would queue on the pacer's row).
                return false;
            }
            sleeper.sleep(again.get());
            current = pacer.acquire(message.model(), message.tokens());
        }
    }

    /**
     * Empty when done with the job; otherwise how long until it may be tried again. The grant is always consumed. Runs
     * during a turn at the database, given up while the job waits for its slot and for the provider.
     */
    private Optional<Duration> runIfClaimable(JobMessage message, Grant grant, Optional<Claim> claimed)
            throws InterruptedException {
        return database.during(() -> claimAndRun(message, grant, claimed));
    }

    private Optional<Duration> claimAndRun(JobMessage message, Grant grant, Optional<Claim> claimed)
            throws InterruptedException {
        String jobId = message.jobId();
        Optional<Claim> claim = claimed;
        if (claim.isEmpty()) {
            try {
                claim = claims.claim(jobId);
            } catch (RuntimeException e) {
                pacer.cancel(grant);
                throw e;
            }
        }
        if (claim.isEmpty()) {
            pacer.cancel(grant);
            Optional<Duration> due = claims.dueIn(jobId);
            if (due.isEmpty()) {
                log.debug("Job {} is running elsewhere, finished or unknown: its message is a duplicate", jobId);
            } else {
                log.debug("Job {} is backing off for {}: holding its message until then", jobId, due.get());
            }
            return due;
        }
        Optional<Outcome> cached = cache.lookup(claim.get().job());
        if (cached.isPresent()) {
            // Answered without a provider call: the grant goes back unused.
            pacer.cancel(grant);
            return finish(claim.get(), true, cached.get());
        }
        if (!pacer.fits(message.model(), message.tokens())) {
            // Larger than a whole token window of the model (a limit learned since submission shrank it): no wait
            // lets it through, so it fails now rather than staying queued forever.
            pacer.cancel(grant);
            String why = "the request needs about " + grant.tokens() + " tokens, more than the model's token limit "
                    + pacer.limits(message.model()).tightestTokenLimit().orElseThrow() + " admits";
            log.info("Job {} failed without a call: {}", jobId, why);
            return finish(claim.get(), false, Outcomes.tooLarge(why));
        }
        if (pacer.isStale(grant)) {
            // Too long since the grant (a slow claim, a pause): sending now could crowd the provider's window.
            // Nothing was sent, so the grant goes back and the job waits for a fresh one.
            pacer.cancel(grant);
            return putBack(claim.get(), Duration.ZERO, true);
        }
        return run(claim.get(), grant, message.tokens());
    }

    private Optional<Duration> run(Claim claim, Grant grant, TokenEstimate estimate) throws InterruptedException {
        ClaimedJob job = claim.job();
        // What the pacer believed when it granted this request: a 429 is judged against that, not against limits
        // learned meanwhile from the other 429s of the same burst (those are one lesson, not a small margin).
        RetryPolicy.Pacing pacing = new RetryPolicy.Pacing(grant.limits(), grant.margin());
        CompletableFuture<Long> sentAt = new CompletableFuture<>();
        sentAt.thenAcceptAsync(
                nanos -> {
                    metrics.sent(grant.model(), Duration.ofNanos(nanos - grant.grantedNanos()));
                    sendTimes.record(grant, nanos);
                },
                background);
        Attempt attempt;
        try {
            // No database connection is needed while the job waits for its slot and for the provider: its turn at the
            // database goes to another job meanwhile. A grant made in advance is for the instant its slot opens: the
            // job was claimed before, its connection to the provider is made ready meanwhile, and its request leaves
            // then.
            attempt = database.between(
                    () -> relay.call(grant.credential().apiKey(), job, () -> pacer.awaitSlot(grant), sentAt::complete));
        } catch (InterruptedException e) {
            // Shutting down: hand the job back now rather than at the end of its lease.
            claims.putBack(claim, Duration.ZERO, true);
            Thread.currentThread().interrupt();
            throw e;
        } finally {
            pacer.release(grant);
        }
        meters.counter("sluice.attempts", "model", job.model(), "outcome", kind(attempt))
                .increment();
        metrics.attempt(job.model(), attempt);
        if (attempt instanceof Attempt.Success success) {
            settle(grant, estimate, success);
        }
        return apply(claim, grant, attempt, policy.decide(attempt, job.attempts(), pacing, roll.getAsDouble()));
    }

    /**
     * Corrects the tokens reserved under {@code grant} to what the provider counted, and teaches the model's
     * prompt-token ratio how far the estimate was off. An answer without usage leaves the reservation as it was.
     */
    private void settle(Grant grant, TokenEstimate estimate, Attempt.Success success) {
        TokenUsage usage = success.usage();
        Integer counted = usage.totalTokens() != null
                ? usage.totalTokens()
                : usage.promptTokens() == null
                        ? null
                        : usage.promptTokens() + (usage.completionTokens() == null ? 0 : usage.completionTokens());
        if (counted != null) {
            pacer.settle(grant, counted);
        }
        if (usage.promptTokens() != null) {
            limits.observePromptTokens(grant.model(), estimate.promptTokens(), usage.promptTokens());
            // Side by side, the estimator's error per model (docs/operations.md, metrics).
            meters.counter("sluice.prompt.tokens.estimated", "model", grant.model())
                    .increment(estimate.promptTokens());
            meters.counter("sluice.prompt.tokens.counted", "model", grant.model())
                    .increment(usage.promptTokens());
        }
    }

    /** Performs what the policy decided: store the outcome, or put the job back (after pausing the model). */
    private Optional<Duration> apply(Claim claim, Grant grant, Attempt attempt, Decision decision) {
        ClaimedJob job = claim.job();
        return switch (decision) {
            case Decision.Finish finish
            when finish.succeeded() -> {
                cache.store(job, finish.outcome());
                yield finish(claim, true, finish.outcome());
            }
            case Decision.Finish finish -> {
                log.info(
                        "Job {} failed after {} of {} attempt(s): {}",
                        job.id(),
                        job.attempts(),
                        policy.maxAttempts(),
                        why(attempt));
                yield finish(claim, false, finish.outcome());
            }
            case Decision.Retry retry -> {
                log.info(
                        "Job {} attempt {} of {} failed ({}); retrying in {} ms",
                        job.id(),
                        job.attempts(),
                        policy.maxAttempts(),
                        why(attempt),
                        retry.delay().toMillis());
                metrics.retried(job);
                yield putBack(claim, retry.delay(), retry.refundAttempt());
            }
            case Decision.PauseModel pause -> {
                rateLimits.apply(grant, job, pause);
                yield putBack(claim, pause.pause(), true);
            }
        };
    }

    private Optional<Duration> finish(Claim claim, boolean succeeded, Outcome outcome) {
        String batchId = claim.job().batchId();
        metrics.finished(claim.job(), succeeded, outcome);
        if (claims.finish(claim, succeeded, outcome) && batchId != null) {
            batchEnds.jobFinished(batchId);
        }
        return Optional.empty();
    }

    private Optional<Duration> putBack(Claim claim, Duration delay, boolean refundAttempt) {
        return claims.putBack(claim, delay, refundAttempt) ? Optional.of(delay) : Optional.empty();
    }

    /** What went wrong with an attempt that did not succeed, for the log; never a key or a body. */
    private static String why(Attempt attempt) {
        return switch (attempt) {
            case Attempt.Success s -> "succeeded";
            case Attempt.RateLimited r -> "rate limited";
            case Attempt.Transient t -> t.message();
            case Attempt.Permanent p ->
                p.message() != null ? p.message() : "the provider refused it with HTTP " + p.status();
        };
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
