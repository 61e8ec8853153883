package dev.sluice.simulator.openai;

import dev.sluice.simulator.limit.Admission;
import dev.sluice.simulator.limit.WindowState;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenAI's rate-limit headers, sent when {@code SIMULATOR_RETRY_AFTER} is true, on 200s and 429s: with a
 * request limit {@code x-ratelimit-limit-requests} (N), {@code x-ratelimit-remaining-requests} and
 * {@code x-ratelimit-reset-requests}; with a token budget {@code x-ratelimit-limit-tokens},
 * {@code x-ratelimit-remaining-tokens} and {@code x-ratelimit-reset-tokens}. A reset is the time until that
 * budget is whole again, in OpenAI's Go-style duration such as {@code 850ms}, {@code 12s}, {@code 1m0s}. A
 * 200's remaining counts its own charge, a 429's does not (it was charged nothing). 429s also carry
 * {@code Retry-After}, whole seconds until every window has room, rounded up; none for a request that can
 * never fit. The extra request window ({@code SIMULATOR_EXTRA_LIMIT}) has no headers, as OpenAI sends none
 * for its daily limit.
 */
public final class RateLimitHeaders {

    private RateLimitHeaders() {}

    /** The headers for {@code admission}; none when unmetered. */
    public static Map<String, String> of(Admission admission) {
        Map<String, String> headers = new LinkedHashMap<>();
        switch (admission) {
            case Admission.Unmetered u -> {}
            case Admission.Admitted a -> {
                put(headers, "requests", a.requests());
                put(headers, "tokens", a.tokens());
            }
            case Admission.Rejected r -> {
                if (r.retryAfter() != null) {
                    headers.put("Retry-After", Long.toString(ceilSeconds(r.retryAfter())));
                }
                put(headers, "requests", r.requests());
                put(headers, "tokens", r.tokens());
            }
        }
        return headers;
    }

    private static void put(Map<String, String> headers, String kind, WindowState state) {
        if (state != null) {
            headers.put("x-ratelimit-limit-" + kind, Long.toString(state.limit()));
            headers.put("x-ratelimit-remaining-" + kind, Long.toString(state.remaining()));
            headers.put("x-ratelimit-reset-" + kind, format(state.resetIn()));
        }
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
