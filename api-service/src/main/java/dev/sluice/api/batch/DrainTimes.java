package dev.sluice.api.batch;

import dev.sluice.common.BatchStatus;
import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import dev.sluice.db.SharedProperties;
import dev.sluice.db.batch.PolledBatch;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.model.ModelSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Estimates how long work takes to dispatch at the effective limits: the pacer sends at most N requests
 * per W per model, so {@code n} jobs of a model need about {@code n / N × W}. It ignores upstream latency,
 * 429 pauses and concurrency caps, so it is a floor when the limit is the bottleneck, and says nothing
 * (null) for a paused model.
 *
 * <p>A batch's estimate takes the work ahead of it per model as its poll read it ({@link PolledBatch#ahead()}, from the
 * kept counts of the open batches and the waiting single jobs, never the batch jobs themselves) and the settings of
 * those models in one more query, so it is made afresh on every read: a poll costs the same at 10 jobs as at
 * 100,000, and a pause or limit change shows at once.
 */
@Component
public class DrainTimes {

    private final ModelRepository models;
    private final List<Limit> defaultLimits;
    private final Clock clock;

    DrainTimes(ModelRepository models, SharedProperties properties, Clock clock) {
        this.models = models;
        this.defaultLimits = properties.defaultLimits();
        this.clock = clock;
    }

    /** The time {@code jobs} take to dispatch at {@code limit}, rounded up to the millisecond. */
    public static Duration toDrain(long jobs, Limit limit) {
        long millis = Math.ceilDiv(Math.multiplyExact(jobs, limit.window().toMillis()), limit.amount());
        return Duration.ofMillis(millis);
    }

    /**
     * The time {@code jobs} take to dispatch under every request limit of {@code limits}: the slowest of them. Token
     * limits are left out (a job's tokens are not known here), so with a binding token limit this is a floor.
     */
    public static Duration toDrain(long jobs, LimitSet limits) {
        return limits.limits().stream()
                .filter(Limit::countsRequests)
                .map(limit -> toDrain(jobs, limit))
                .max(Duration::compareTo)
                .orElse(Duration.ZERO);
    }

    /**
     * When an {@code in_progress} batch's last job should be dispatched: now plus, for the slowest of its
     * models, the drain time of that model's unfinished jobs that go before or with the batch's. Null when
     * the batch is not running, has nothing left, or one of its models is paused.
     */
    public Instant batchCompletion(PolledBatch polled) {
        if (polled.batch().status() != BatchStatus.IN_PROGRESS
                || polled.progress().counts().unfinished() == 0
                || polled.ahead().isEmpty()) {
            return null;
        }
        Instant now = clock.instant();
        Map<String, ModelSettings> settings = models.settingsOf(polled.ahead().keySet());
        Duration longest = Duration.ZERO;
        for (Map.Entry<String, Long> model : polled.ahead().entrySet()) {
            ModelSettings stored = settings.getOrDefault(model.getKey(), ModelSettings.unconfigured(model.getKey()));
            if (stored.paused()) {
                return null;
            }
            Duration drain = toDrain(model.getValue(), stored.limits(defaultLimits));
            if (drain.compareTo(longest) > 0) {
                longest = drain;
            }
        }
        return now.plus(longest);
    }
}
