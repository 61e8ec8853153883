package dev.sluice.simulator.limit;

import java.time.Duration;

/**
 * One window of a (key, model) budget as the limiter left it after a decision: after the charge when
 * admitted, without one when rejected.
 *
 * @param limit the capacity: requests, or tokens
 * @param window its length W
 * @param used what counts in the window now
 * @param remaining {@code limit - used}, at least 0
 * @param resetIn time until the budget is whole again (OpenAI's {@code x-ratelimit-reset-*})
 */
public record WindowState(long limit, Duration window, long used, long remaining, Duration resetIn) {

    static WindowState of(Window w, long now) {
        long used = w.used(now);
        return new WindowState(w.capacity(), w.length(), used, Math.max(0, w.capacity() - used), w.resetIn(now));
    }
}
