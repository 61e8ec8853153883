package dev.sluice.api.admin;

import dev.sluice.common.Limit;
import dev.sluice.db.model.ModelSettings;
import jakarta.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The limit objects {@code /admin/limits}, {@code /admin/pause} and {@code /admin/resume} answer with. */
final class LimitViews {

    private LimitViews() {}

    /**
     * A limit on the wire.
     *
     * @param requests   how many requests a window admits
     * @param perSeconds the window in seconds; fractional when it is not whole seconds ({@code 1.5})
     */
    record LimitView(int requests, BigDecimal perSeconds) {

        static LimitView of(Limit limit) {
            return limit == null ? null : new LimitView(limit.requests(), seconds(limit.window()));
        }
    }

    /**
     * The limit last learned from the provider's 429s.
     *
     * @param requests   how many requests a window admits
     * @param perSeconds the window in seconds
     * @param learnedAt  unix seconds, or null if unknown
     */
    record Learned(
            int requests, BigDecimal perSeconds, @Nullable Long learnedAt) {}

    /**
     * One model's pacing: the limit in force, where it comes from, and what it is made of.
     *
     * @param model          the model id
     * @param requests       the effective limit's requests per window
     * @param perSeconds     the effective limit's window in seconds
     * @param maxConcurrency most requests in flight at once per upstream key, or null for no cap
     * @param source         {@code configured}, {@code learned} or {@code default}
     * @param configured     the limit an operator set, or null
     * @param learned        the limit learned from the provider, or null
     * @param paused         whether an operator paused the model
     */
    record ModelLimit(
            String model,
            int requests,
            BigDecimal perSeconds,
            @Nullable Integer maxConcurrency,
            String source,
            @Nullable LimitView configured,
            @Nullable Learned learned,
            boolean paused) {

        static ModelLimit of(ModelSettings settings, Limit defaultLimit) {
            Limit effective = settings.effective(defaultLimit);
            Limit learned = settings.learned();
            Instant learnedAt = settings.learnedAt();
            return new ModelLimit(
                    settings.model(),
                    effective.requests(),
                    seconds(effective.window()),
                    settings.maxConcurrency(),
                    settings.source(defaultLimit),
                    LimitView.of(settings.configured()),
                    learned == null
                            ? null
                            : new Learned(
                                    learned.requests(),
                                    seconds(learned.window()),
                                    learnedAt == null ? null : learnedAt.getEpochSecond()),
                    settings.paused());
        }
    }

    /**
     * Every known model's pacing.
     *
     * @param object       always {@code list}
     * @param defaultLimit the limit of models with none configured ({@code SLUICE_DEFAULT_LIMIT})
     * @param data         one entry per model, by model id
     */
    record Listed(String object, LimitView defaultLimit, List<ModelLimit> data) {}

    /** A duration in seconds, exact to the millisecond and without trailing zeros: 60, 1.5, 0.001. */
    static BigDecimal seconds(Duration duration) {
        BigDecimal seconds = BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros();
        // stripTrailingZeros turns 60 into 6E+1, which would be written in exponent form.
        return seconds.scale() < 0 ? seconds.setScale(0) : seconds;
    }
}
