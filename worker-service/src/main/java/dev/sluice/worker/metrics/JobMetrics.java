package dev.sluice.worker.metrics;

import dev.sluice.db.job.ClaimedJob;
import dev.sluice.db.job.Outcome;
import dev.sluice.worker.upstream.Attempt;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What the executor reports about each job, as Micrometer meters (catalogue: docs/operations.md) and as one
 * log line per failed job. The executor calls it with one line per event; nothing here decides anything.
 */
@Component
public class JobMetrics {

    private static final Logger log = LoggerFactory.getLogger(JobMetrics.class);

    private static final CounterKind RESPONSES = new CounterKind(
            "sluice.upstream.responses", "Upstream answers by HTTP status (none: no answer, e.g. a timeout)", "status");
    private static final CounterKind FINISHED =
            new CounterKind("sluice.jobs.finished", "Jobs the workers finished, by model and status", "status");
    private static final CounterKind TOKENS =
            new CounterKind("sluice.tokens", "Tokens the provider reported, by model and kind", "kind");

    private static final Duration[] SEND_LATENESS_BUCKETS = {
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(20),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofSeconds(1)
    };

    private final MeterRegistry meters;

    // The meters of every job, kept once built: building a meter's id (its tags, sorted) and looking it up in the
    // registry on every call was a visible share of a job's CPU at high rates.
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();
    private final Map<String, Timer> lateness = new ConcurrentHashMap<>();
    private final Map<Key, Counter> responses = new ConcurrentHashMap<>();
    private final Map<Key, Counter> finishedCounts = new ConcurrentHashMap<>();
    private final Map<Key, Counter> tokenCounts = new ConcurrentHashMap<>();

    /** A meter's model and its other tag's value. */
    private record Key(String model, String value) {}

    /** A counter by model and one more tag. */
    private record CounterKind(String name, String description, String tag) {}

    JobMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /** One upstream call: its latency (a histogram) and the provider's answer by HTTP status. */
    public void attempt(String model, Attempt attempt) {
        latencies
                .computeIfAbsent(
                        model,
                        m -> Timer.builder("sluice.upstream.latency")
                                .description("Upstream call latency, from sending to the whole answer")
                                .tag("model", m)
                                .publishPercentileHistogram()
                                .minimumExpectedValue(Duration.ofMillis(5))
                                .maximumExpectedValue(Duration.ofMinutes(2))
                                .register(meters))
                .record(attempt.latency());
        counter(responses, RESPONSES, model, status(attempt)).increment();
    }

    /**
     * A granted request left {@code late} after the instant it was granted for (its slot's opening, or the grant
     * itself when it was for at once): the time docs/pacing.md's rule charges. A few fixed buckets, from what a warm
     * worker's requests take (a few ms) to what the rule charges beyond the 50 ms send allowance.
     */
    public void sent(String model, Duration late) {
        lateness.computeIfAbsent(
                        model,
                        m -> Timer.builder("sluice.pacer.send.lateness")
                                .description("How long after its granted instant each request left")
                                .tag("model", m)
                                .serviceLevelObjectives(SEND_LATENESS_BUCKETS)
                                .register(meters))
                .record(late.isNegative() ? Duration.ZERO : late);
    }

    /** A transient failure that will be tried again after a backoff. */
    public void retried(ClaimedJob job) {
        Counter.builder("sluice.jobs.retries")
                .description("Attempts that failed transiently and are retried")
                .tag("model", job.model())
                .register(meters)
                .increment();
    }

    /**
     * A job the executor finished: counted by model and status, its tokens added up, and a failure logged
     * once with its job and batch ids (never its body, which may hold a prompt or the provider's echo of it).
     */
    public void finished(ClaimedJob job, boolean succeeded, Outcome outcome) {
        String status = succeeded ? "succeeded" : "failed";
        counter(finishedCounts, FINISHED, job.model(), status).increment();
        tokens(job.model(), "prompt", outcome.promptTokens());
        tokens(job.model(), "completion", outcome.completionTokens());
        if (!succeeded) {
            log.atWarn()
                    .setMessage("Job {} of batch {} failed: model={} attempts={} response_status={} error_code={}")
                    .addArgument(job.id())
                    .addArgument(job.batchId() == null ? "none" : job.batchId())
                    .addArgument(job.model())
                    .addArgument(job.attempts())
                    .addArgument(outcome.responseStatus())
                    .addArgument(outcome.errorCode())
                    .addKeyValue("event", "job_failed")
                    .addKeyValue("job_id", job.id())
                    .addKeyValue("batch_id", job.batchId())
                    .addKeyValue("model", job.model())
                    .addKeyValue("attempts", job.attempts())
                    .addKeyValue("response_status", outcome.responseStatus())
                    .addKeyValue("error_code", outcome.errorCode())
                    .log();
        }
    }

    private void tokens(String model, String kind, Integer count) {
        if (count != null && count > 0) {
            counter(tokenCounts, TOKENS, model, kind).increment(count);
        }
    }

    /** The {@code kind} counter of {@code model} and {@code value}, built and registered the first time. */
    private Counter counter(Map<Key, Counter> built, CounterKind kind, String model, String value) {
        return built.computeIfAbsent(
                new Key(model, value),
                key -> Counter.builder(kind.name())
                        .description(kind.description())
                        .tag("model", key.model())
                        .tag(kind.tag(), key.value())
                        .register(meters));
    }

    private static String status(Attempt attempt) {
        return switch (attempt) {
            case Attempt.Success success -> Integer.toString(success.status());
            case Attempt.RateLimited limited -> "429";
            case Attempt.Transient failure ->
                failure.status() == null ? "none" : failure.status().toString();
            case Attempt.Permanent refusal ->
                refusal.status() == null ? "none" : refusal.status().toString();
        };
    }
}
