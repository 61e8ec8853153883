package dev.sluice.worker.execution;

import dev.sluice.common.Limit;
import dev.sluice.db.job.ClaimedJob;
import dev.sluice.db.ratelimit.RateLimitEvent;
import dev.sluice.db.ratelimit.RateLimitEventRepository;
import dev.sluice.worker.pacing.GlobalPacer;
import dev.sluice.worker.pacing.Grant;
import dev.sluice.worker.pacing.ModelLimits;
import dev.sluice.worker.upstream.Attempt;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Applies what {@link RetryPolicy} decided about a 429 ({@link RetryPolicy.Decision.PauseModel}): the limit it
 * taught is learned, the margin widens if the policy says so, the model is paused for that key for the policy's
 * pause, and the event is logged, counted and stored for {@code GET /admin/rate-limit-events}.
 */
@Component
class RateLimitLog {

    private static final Logger log = LoggerFactory.getLogger(RateLimitLog.class);

    private final GlobalPacer pacer;
    private final ModelLimits limits;
    private final RateLimitEventRepository events;
    private final InstantSource clock;
    private final MeterRegistry meters;

    RateLimitLog(
            GlobalPacer pacer,
            ModelLimits limits,
            RateLimitEventRepository events,
            InstantSource clock,
            MeterRegistry meters) {
        this.pacer = pacer;
        this.limits = limits;
        this.events = events;
        this.clock = clock;
        this.meters = meters;
    }

    /** Applies {@code decision} about the 429 answered to {@code job}'s request sent under {@code grant}. */
    void apply(Grant grant, ClaimedJob job, RetryPolicy.Decision.PauseModel decision) {
        String model = grant.model();
        String jobId = job.id();
        Attempt.RateLimited limited = decision.answer();
        Optional<Limit> learned = decision.learned();
        learned.ifPresent(limit -> limits.learn(model, limit));
        if (decision.widenMargin()) {
            // The limit we paced at was the provider's: the request must have arrived later than the margin allows.
            pacer.widenMargin(model);
        }
        pacer.rateLimited(grant, decision.pause());
        // The time shown as "paused until"; the pause itself is counted on the database's clock by the pacer.
        Instant now = clock.instant();
        Instant resumeAt = now.plus(decision.pause());
        meters.counter("sluice.rate_limited", "model", model).increment();
        events.record(new RateLimitEvent(
                0,
                model,
                grant.credential().fingerprint(),
                jobId,
                now,
                limited.body(),
                limited.retryAfter().orElse(null),
                learned.orElse(null),
                resumeAt));
        String stated = learned.map(Limit::toString).orElse("none");
        String retryAfter = limited.retryAfter().map(Duration::toString).orElse("none");
        // One line per 429; with SLUICE_LOG_FORMAT=logstash the key-values become JSON fields.
        log.atWarn()
                .setMessage("429 from the provider: model={} key={} job={} batch={} limit_stated={} retry_after={} "
                        + "paused_until={}")
                .addArgument(model)
                .addArgument(grant.credential().fingerprint())
                .addArgument(jobId)
                .addArgument(job.batchId())
                .addArgument(stated)
                .addArgument(retryAfter)
                .addArgument(resumeAt)
                .addKeyValue("event", "rate_limited")
                .addKeyValue("model", model)
                .addKeyValue("credential", grant.credential().fingerprint())
                .addKeyValue("job_id", jobId)
                .addKeyValue("batch_id", job.batchId())
                .addKeyValue("limit_stated", stated)
                .addKeyValue("retry_after", retryAfter)
                .addKeyValue("paused_until", resumeAt.toString())
                .log();
    }
}
