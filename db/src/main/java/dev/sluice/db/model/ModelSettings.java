package dev.sluice.db.model;

import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import java.time.Duration;
import java.util.List;

/**
 * What is stored about one model's pacing.
 *
 * @param model            the model id
 * @param configured       the limits an operator set; empty for the default
 * @param learned          the limits the provider stated, each with when it was learned
 * @param maxConcurrency   most requests in flight at once per upstream key, or null for no cap
 * @param paused           whether an operator paused the model
 * @param widenedMargin    the safety margin as widened after 429s, or null for the configured one
 * @param promptTokenRatio provider-counted prompt tokens per estimated one, or null while not learned
 * @param defaultMaxTokens tokens reserved for an answer whose request names no maximum, or null for the
 *                         service's default
 */
public record ModelSettings(
        String model,
        List<Limit> configured,
        List<LimitSet.Entry> learned,
        Integer maxConcurrency,
        boolean paused,
        Duration widenedMargin,
        Double promptTokenRatio,
        Integer defaultMaxTokens) {

    public ModelSettings {
        configured = List.copyOf(configured);
        learned = List.copyOf(learned);
    }

    /** A model with nothing stored but its name. */
    public static ModelSettings unconfigured(String model) {
        return new ModelSettings(model, List.of(), List.of(), null, false, null, null, null);
    }

    /** The limits in force: the configured ones (else {@code defaults}) joined by the learned ones. */
    public LimitSet limits(List<Limit> defaults) {
        return LimitSet.of(configured, defaults, learned);
    }
}
