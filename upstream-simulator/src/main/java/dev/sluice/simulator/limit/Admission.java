package dev.sluice.simulator.limit;

import java.time.Duration;
import java.time.Instant;

/** The limiter's verdict on one arriving request. */
public sealed interface Admission {

    /** When the request arrived, as read under the limiter's lock. */
    Instant arrivedAt();

    /** Admitted with no limit configured. */
    record Unmetered(Instant arrivedAt) implements Admission {
    }

    /**
     * Admitted and counted against the budget.
     *
     * @param remaining how many more fit right now
     * @param resetIn time until the budget is whole again (OpenAI's {@code x-ratelimit-reset-requests})
     */
    record Admitted(Instant arrivedAt, Limit limit, int remaining, Duration resetIn) implements Admission {
    }

    /**
     * Over the limit; it used no budget.
     *
     * @param retryAfter time until the next slot frees
     * @param resetIn time until the budget is whole again
     */
    record Rejected(Instant arrivedAt, Limit limit, Duration retryAfter, Duration resetIn) implements Admission {
    }
}
