package dev.sluice.worker.execution;

import dev.sluice.db.job.Outcome;
import dev.sluice.worker.upstream.Attempt;
import java.time.Duration;

/**
 * What a finished job stores, by the attempt that finished it. HTTP answers keep the provider's status and
 * body (the error file shows them with {@code error: null}); failures without a usable answer keep Sluice's
 * error code and message instead.
 */
final class Outcomes {

    private Outcomes() {}

    static Outcome succeeded(Attempt.Success success) {
        return new Outcome(
                success.status(),
                success.body(),
                null,
                null,
                success.usage().promptTokens(),
                success.usage().completionTokens(),
                success.usage().totalTokens(),
                millis(success.latency()));
    }

    static Outcome failed(Attempt.Permanent refusal) {
        return new Outcome(
                refusal.status(),
                refusal.body(),
                refusal.errorCode(),
                refusal.message(),
                null,
                null,
                null,
                millis(refusal.latency()));
    }

    static Outcome failed(Attempt.Transient last) {
        String message = last.status() == null ? last.message() : null;
        return new Outcome(
                last.status(), last.body(), last.errorCode(), message, null, null, null, millis(last.latency()));
    }

    /** A job that can never be sent: its tokens exceed a whole token window of its model. */
    static Outcome tooLarge(String message) {
        return new Outcome(null, null, Attempt.Permanent.REQUEST_TOO_LARGE, message, null, null, null, 0);
    }

    private static int millis(Duration latency) {
        return (int) Math.min(latency.toMillis(), Integer.MAX_VALUE);
    }
}
