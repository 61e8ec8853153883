package dev.sluice.simulator.limit;

import java.time.Duration;
import java.time.Instant;

/**
 * The limiter's verdict on one arriving request. Each {@link WindowState} is null when that window is off:
 * {@code requests} ({@code SIMULATOR_LIMIT}), {@code extra} ({@code SIMULATOR_EXTRA_LIMIT}), {@code tokens}
 * ({@code SIMULATOR_TPM}).
 */
public sealed interface Admission {

    /** When the request arrived, as read under the limiter's lock. */
    Instant arrivedAt();

    /** Admitted with no window configured at all. */
    record Unmetered(Instant arrivedAt) implements Admission {}

    /**
     * Admitted and counted in every window that is on.
     *
     * @param charge the tokens charged on arrival, to correct with {@link RateLimiter#settle}; null without a
     *     token budget
     */
    record Admitted(Instant arrivedAt, WindowState requests, WindowState extra, WindowState tokens, Charge charge)
            implements Admission {}

    /**
     * Over some window; it was charged nothing in any.
     *
     * @param refusal the window that refused it: the first full one in the order requests, extra, tokens
     * @param retryAfter time until every window has room for it; null when it can never fit (more tokens
     *     than the whole token budget)
     * @param requestedTokens the tokens it asked for (prompt plus {@code max_tokens})
     */
    record Rejected(
            Instant arrivedAt,
            Refusal refusal,
            WindowState requests,
            WindowState extra,
            WindowState tokens,
            Duration retryAfter,
            long requestedTokens)
            implements Admission {

        /** The state of the window that refused it. */
        public WindowState refused() {
            return switch (refusal) {
                case REQUESTS -> requests;
                case EXTRA -> extra;
                case TOKENS -> tokens;
            };
        }
    }

    /** Which window refused a request. */
    enum Refusal {
        /** {@code SIMULATOR_LIMIT}. */
        REQUESTS,
        /** {@code SIMULATOR_EXTRA_LIMIT}. */
        EXTRA,
        /** {@code SIMULATOR_TPM}. */
        TOKENS
    }
}
