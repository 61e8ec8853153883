package dev.sluice.simulator.openai;

import dev.sluice.simulator.limit.Admission;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/**
 * OpenAI's rate-limit headers, sent when {@code SIMULATOR_RETRY_AFTER} is true: on 200s and 429s
 * {@code x-ratelimit-limit-requests} (N), {@code x-ratelimit-remaining-requests} and
 * {@code x-ratelimit-reset-requests} (time until the budget is whole again, in OpenAI's Go-style duration
 * such as {@code 850ms}, {@code 12s}, {@code 1m0s}); on 429s also {@code Retry-After}, whole seconds until
 * the next slot frees, rounded up.
 */
public final class RateLimitHeaders {

    private RateLimitHeaders() {
    }

    /** The headers for {@code admission}; none when unmetered. */
    public static Map<String, String> of(Admission admission) {
        return switch (admission) {
            case Admission.Unmetered u -> Map.of();
            case Admission.Admitted a -> Map.of(
                    "x-ratelimit-limit-requests", Integer.toString(a.limit().requests()),
                    "x-ratelimit-remaining-requests", Integer.toString(a.remaining()),
                    "x-ratelimit-reset-requests", format(a.resetIn()));
            case Admission.Rejected r -> Map.of(
                    "Retry-After", Long.toString(ceilSeconds(r.retryAfter())),
                    "x-ratelimit-limit-requests", Integer.toString(r.limit().requests()),
                    "x-ratelimit-remaining-requests", "0",
                    "x-ratelimit-reset-requests", format(r.resetIn()));
        };
    }

    /** Whole seconds, rounded up, at least 1 (a 429 always has something to wait for). */
    static long ceilSeconds(Duration d) {
        long nanos = d.toNanos();
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    /** Go's duration format at millisecond precision, rounded up: {@code 850ms}, {@code 6.5s}, {@code 1m0s}. */
    static String format(Duration d) {
        long ms = (d.toNanos() + 999_999L) / 1_000_000L;
        if (ms < 1000) {
            return ms + "ms";
        }
        StringBuilder text = new StringBuilder();
        long hours = ms / 3_600_000L;
        long minutes = ms % 3_600_000L / 60_000L;
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            text.append(minutes).append('m');
        }
        BigDecimal seconds = BigDecimal.valueOf(ms % 60_000L, 3).stripTrailingZeros();
        return text.append(seconds.toPlainString()).append('s').toString();
    }
}
