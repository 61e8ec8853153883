package dev.sluice.db.model;

import dev.sluice.common.Limit;
import java.time.Duration;
import java.time.Instant;

/**
 * What is stored about one model's pacing.
 *
 * @param model          the model id
 * @param configured     the limit an operator set, or null for the default
 * @param maxConcurrency most requests in flight at once per upstream key, or null for no cap
 * @param learned        the limit last learned from the provider's 429s, or null
 * @param learnedAt      when it was learned, or null
 * @param paused         whether an operator paused the model
 * @param widenedMargin  the safety margin as widened after 429s, or null for the configured one
 */
public record ModelSettings(
        String model,
        Limit configured,
        Integer maxConcurrency,
        Limit learned,
        Instant learnedAt,
        boolean paused,
        Duration widenedMargin) {

    /** The limit in force: the stricter of the configured one (else {@code defaultLimit}) and the learned one. */
    public Limit effective(Limit defaultLimit) {
        Limit base = configured != null ? configured : defaultLimit;
        return learned == null ? base : base.stricter(learned);
    }

    /** Where the effective limit comes from: {@code configured}, {@code learned} or {@code default}. */
    public String source(Limit defaultLimit) {
        Limit effective = effective(defaultLimit);
        if (learned != null && effective.equals(learned) && !learned.equals(configured)) {
            return "learned";
        }
        return configured != null ? "configured" : "default";
    }
}
