package dev.sluice.api.admin;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.NOT_REQUIRED;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import dev.sluice.db.model.ModelSettings;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.annotation.Nullable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongBiFunction;

/** The limit objects {@code /admin/limits}, {@code /admin/pause} and {@code /admin/resume} answer with. */
final class LimitViews {

    private LimitViews() {}

    /**
     * A request limit on the wire (the single-window form).
     *
     * @param requests   how many requests a window admits
     * @param perSeconds the window in seconds; fractional when it is not whole seconds ({@code 1.5})
     */
    record LimitView(long requests, BigDecimal perSeconds) {

        static LimitView of(Limit limit) {
            return limit == null ? null : new LimitView(limit.amount(), seconds(limit.window()));
        }
    }

    /**
     * A limit as a provider stated it: requests or tokens per window.
     *
     * @param requests   requests per window, for a request limit (else absent)
     * @param tokens     tokens per window, for a token limit (else absent)
     * @param perSeconds the window in seconds
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Stated(
            @Schema(requiredMode = NOT_REQUIRED) @Nullable Long requests,
            @Schema(requiredMode = NOT_REQUIRED) @Nullable Long tokens,
            BigDecimal perSeconds) {

        static Stated of(Limit limit) {
            return limit == null
                    ? null
                    : new Stated(
                            limit.countsRequests() ? limit.amount() : null,
                            limit.countsRequests() ? null : limit.amount(),
                            seconds(limit.window()));
        }
    }

    /**
     * The request limit last learned from the provider's 429s.
     *
     * @param requests   how many requests a window admits
     * @param perSeconds the window in seconds
     * @param learnedAt  unix seconds, or null if unknown
     */
    record Learned(
            long requests, BigDecimal perSeconds, @Nullable Long learnedAt) {}

    /**
     * One limit of a model's set, with where it comes from and how much of it is in use.
     *
     * @param requests   requests per window, for a request limit (else absent)
     * @param tokens     tokens per window, for a token limit (else absent)
     * @param perSeconds the window in seconds
     * @param source     {@code configured}, {@code default} or {@code learned}
     * @param learnedAt  unix seconds when the provider stated it, for a learned limit (else absent)
     * @param used       how much of it the busiest upstream key used within its last window
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record LimitEntry(
            @Schema(requiredMode = NOT_REQUIRED) @Nullable Long requests,
            @Schema(requiredMode = NOT_REQUIRED) @Nullable Long tokens,
            BigDecimal perSeconds,
            String source,
            @Schema(requiredMode = NOT_REQUIRED) @Nullable Long learnedAt,
            long used) {

        static LimitEntry of(LimitSet.Entry entry, long used) {
            Limit limit = entry.limit();
            return new LimitEntry(
                    limit.countsRequests() ? limit.amount() : null,
                    limit.countsRequests() ? null : limit.amount(),
                    seconds(limit.window()),
                    entry.source().wireName(),
                    entry.learnedAt() == null ? null : entry.learnedAt().getEpochSecond(),
                    used);
        }
    }

    /**
     * One model's pacing: every limit in force with its source and use, and, for the single-window form, the
     * request limit that binds the rate the most.
     *
     * @param model            the model id
     * @param requests         the tightest request limit's requests per window, or null when only tokens are limited
     * @param perSeconds       its window in seconds, or null
     * @param maxConcurrency   most requests in flight at once per upstream key, or null for no cap
     * @param source           where the tightest limit comes from: {@code configured}, {@code learned} or
     *                         {@code default}
     * @param configured       the operator's request limit (the first, if several), or null
     * @param learned          the request limit learned last from the provider, or null
     * @param paused           whether an operator paused the model
     * @param limits           every limit in force
     * @param defaultMaxTokens tokens reserved for an answer whose request names no maximum, or null for
     *                         {@code SLUICE_DEFAULT_MAX_TOKENS}
     * @param promptTokenRatio provider-counted prompt tokens per estimated one, learned from answers; null until
     *                         learned
     */
    record ModelLimit(
            String model,
            @Nullable Long requests,
            @Nullable BigDecimal perSeconds,
            @Nullable Integer maxConcurrency,
            String source,
            @Nullable LimitView configured,
            @Nullable Learned learned,
            boolean paused,
            List<LimitEntry> limits,
            @Nullable Integer defaultMaxTokens,
            @Nullable Double promptTokenRatio) {

        static ModelLimit of(ModelSettings settings, List<Limit> defaults, ToLongBiFunction<String, Limit> used) {
            LimitSet set = settings.limits(defaults);
            LimitSet.Entry tightest = tightest(set);
            Limit headline = tightest.limit().countsRequests() ? tightest.limit() : null;
            LimitSet.Entry learned = settings.learned().stream()
                    .filter(e -> e.limit().countsRequests())
                    .max(Comparator.comparing(e -> e.learnedAt() == null ? Instant.EPOCH : e.learnedAt()))
                    .orElse(null);
            return new ModelLimit(
                    settings.model(),
                    headline == null ? null : headline.amount(),
                    headline == null ? null : seconds(headline.window()),
                    settings.maxConcurrency(),
                    tightest.source().wireName(),
                    LimitView.of(settings.configured().stream()
                            .filter(Limit::countsRequests)
                            .findFirst()
                            .orElse(null)),
                    learned == null
                            ? null
                            : new Learned(
                                    learned.limit().amount(),
                                    seconds(learned.limit().window()),
                                    learned.learnedAt() == null
                                            ? null
                                            : learned.learnedAt().getEpochSecond()),
                    settings.paused(),
                    set.entries().stream()
                            .map(e -> LimitEntry.of(e, used.applyAsLong(settings.model(), e.limit())))
                            .toList(),
                    settings.defaultMaxTokens(),
                    settings.promptTokenRatio());
        }

        /** The request limit admitting the fewest requests per second, else the token limit admitting fewest tokens. */
        static LimitSet.Entry tightest(LimitSet set) {
            Comparator<LimitSet.Entry> byRate = Comparator.comparingDouble(
                    e -> (double) e.limit().amount() / e.limit().window().toMillis());
            return set.entries().stream()
                    .filter(e -> e.limit().countsRequests())
                    .min(byRate)
                    .orElseGet(() -> set.entries().stream().min(byRate).orElseThrow());
        }
    }

    /**
     * Every known model's pacing.
     *
     * @param object        always {@code list}
     * @param defaultLimit  the default's request limit (the tightest, if several), or null when the default limits
     *                      only tokens
     * @param defaultLimits every limit of the default ({@code SLUICE_DEFAULT_LIMIT}), for models with none configured
     * @param data          one entry per model, by model id
     */
    record Listed(
            String object, @Nullable LimitView defaultLimit, List<LimitEntry> defaultLimits, List<ModelLimit> data) {}

    /** A duration in seconds, exact to the millisecond and without trailing zeros: 60, 1.5, 0.001. */
    static BigDecimal seconds(Duration duration) {
        BigDecimal seconds = BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros();
        // stripTrailingZeros turns 60 into 6E+1, which would be written in exponent form.
        return seconds.scale() < 0 ? seconds.setScale(0) : seconds;
    }
}
