package dev.sluice.worker.execution;

import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import dev.sluice.db.job.Outcome;
import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.upstream.Attempt;
import java.time.Duration;
import java.util.Optional;

/**
 * What happens to a job after one upstream attempt, decided in one place and without side effects: the
 * executor asks, then applies the {@link Decision}. The rule:
 *
 * <ul>
 *   <li><b>Success</b> → {@link Decision.Finish} succeeded, keeping the answer.</li>
 *   <li><b>Permanent</b> (a 4xx other than 429, an answer over {@code sluice.upstream.max-response-size}) →
 *       {@link Decision.Finish} failed at once, whatever attempts are left.</li>
 *   <li><b>Transient</b> (5xx, 408, 409, timeout, reset, a malformed 2xx) with attempts left
 *       ({@code attemptsSoFar < max-attempts}) → {@link Decision.Retry} with the attempt spent, after
 *       full-jitter backoff — a uniformly random wait in [0, ceiling), the ceiling being
 *       {@code initial-backoff × 2^(attemptsSoFar − 1)} capped at {@code max-backoff} — or after the provider's
 *       {@code Retry-After} when that is longer. Without attempts left → {@link Decision.Finish} failed,
 *       keeping the last answer (or its error code when no usable answer came).</li>
 *   <li><b>Rate limited</b> (429) → {@link Decision.PauseModel}: the attempt is refunded (a 429 is the provider
 *       declining to count it, not a failure), and the limit the answer states, if the set in force does not already
 *       enforce it, is learned: it joins the set. The key's model pauses for one window plus the margin — the window
 *       of the limit learned, else the shortest window of the kind the answer names (tokens or requests), else the
 *       shortest of all — or for the provider's wait ({@code Retry-After}, the reset header, "try again in") when
 *       that is longer; the margin is the one in force when the 429 came, before any widening it causes.</li>
 *   <li>The margin widens only for a 429 about requests under a set that already held: nothing new was learned,
 *       so the request must have arrived later than the margin allowed. A 429 that taught a limit shows a wrong
 *       set, not a small margin; one about tokens that taught nothing shows an estimate below the provider's count,
 *       which the per-model prompt-token ratio corrects.</li>
 * </ul>
 *
 * Worked numbers, with the defaults ({@code max-attempts} 5, {@code initial-backoff} 1 s, {@code max-backoff}
 * 60 s, limit 15/60s, margin 250 ms):
 * <ul>
 *   <li>a 503 on attempt 1, random roll 0.5 → retry in 0.5 s (ceiling 1 s); on attempt 3, roll 0.5 → 2 s
 *       (ceiling 4 s); on attempt 3 with {@code Retry-After: 10} → 10 s; on attempt 5 → failed, keeping the
 *       503;</li>
 *   <li>with {@code max-backoff} 10 s, a 503 on attempt 5 of 8, roll 0.999 → 9.99 s (ceiling 16 s capped to
 *       10 s);</li>
 *   <li>a 429 saying nothing → pause 60.25 s, widen the margin; a 429 saying {@code Rate limit of 10 per 60s}
 *       → learn 10/60s, pause 60.25 s, margin unchanged; one saying {@code Rate limit of 20 per 60s} → 15/60s
 *       already enforces it, so nothing is learned: pause 60.25 s and widen the margin; one saying {@code Rate limit
 *       of 25 per 12s} → learn 25/12s beside 15/60s, pause 12.25 s; a TPM 429 ({@code on tokens per min (TPM):
 *       Limit 30000}) → learn 30000 tokens/60s, pause 60.25 s, never a request limit; a 429 with
 *       {@code Retry-After: 90} → pause 90 s.</li>
 * </ul>
 */
final class RetryPolicy {

    /** What to do with the job next. */
    sealed interface Decision {

        /**
         * The job ends here.
         *
         * @param succeeded whether it ends {@code succeeded} (else {@code failed})
         * @param outcome   what the job keeps
         */
        record Finish(boolean succeeded, Outcome outcome) implements Decision {}

        /**
         * The job goes back to {@code queued}, not to be claimed again before {@code delay} has passed.
         *
         * @param delay         how long until it may run again
         * @param refundAttempt whether the attempt just made is given back (nothing reached the provider that
         *                      counts against the job)
         */
        record Retry(Duration delay, boolean refundAttempt) implements Decision {}

        /**
         * A 429: the key's model pauses for {@code pause} and the job runs again after it, its attempt refunded.
         *
         * @param answer      the 429, for the log of rate-limit events
         * @param pause       how long no request of the model goes out with the key that met the 429
         * @param learned     the limit the answer taught, to be paced at from now on, if it taught one
         * @param widenMargin whether the model's safety margin widens (the set paced at held, and the 429 is about
         *                    requests)
         */
        record PauseModel(Attempt.RateLimited answer, Duration pause, Optional<Limit> learned, boolean widenMargin)
                implements Decision {}
    }

    /**
     * What the pacer believed when the attempt was sent, which a 429 is judged against.
     *
     * @param limits the limits in force for the model
     * @param margin the model's safety margin
     */
    record Pacing(LimitSet limits, Duration margin) {}

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    RetryPolicy(WorkerProperties.Retry retry) {
        this.maxAttempts = retry.maxAttempts();
        this.initialBackoff = retry.initialBackoff();
        this.maxBackoff = retry.maxBackoff();
    }

    /** The most attempts a job gets. */
    int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Decides what follows {@code attempt}.
     *
     * @param attempt       what the upstream call came to
     * @param attemptsSoFar the job's attempts, this one included
     * @param pacing        the limit and margin the attempt was paced under
     * @param roll          a random number in [0, 1) that picks the backoff within its range
     */
    Decision decide(Attempt attempt, int attemptsSoFar, Pacing pacing, double roll) {
        return switch (attempt) {
            case Attempt.Success success -> new Decision.Finish(true, Outcomes.succeeded(success));
            case Attempt.Permanent refusal -> new Decision.Finish(false, Outcomes.failed(refusal));
            case Attempt.Transient failure
            when attemptsSoFar < maxAttempts ->
                new Decision.Retry(longer(failure.retryAfter(), backoff(attemptsSoFar, roll)), false);
            case Attempt.Transient failure -> new Decision.Finish(false, Outcomes.failed(failure));
            case Attempt.RateLimited limited -> pause(limited, pacing);
        };
    }

    /**
     * Full jitter: {@code roll} (in [0, 1)) of the ceiling, so jobs that failed together, say during an outage,
     * come back spread out rather than together.
     */
    private Duration backoff(int attemptsSoFar, double roll) {
        int doublings = Math.min(Math.max(attemptsSoFar - 1, 0), 30);
        Duration exponential = initialBackoff.multipliedBy(1L << doublings);
        Duration ceiling = exponential.compareTo(maxBackoff) > 0 ? maxBackoff : exponential;
        return Duration.ofMillis((long) (roll * ceiling.toMillis()));
    }

    private static Decision.PauseModel pause(Attempt.RateLimited limited, Pacing pacing) {
        LimitSet believed = pacing.limits();
        Optional<Limit> learned = limited.teaches(believed);
        Duration window = learned.map(Limit::window)
                .or(() -> believed.shortestWindow(limited.unit()))
                .orElseGet(believed::shortestWindow);
        boolean widen = learned.isEmpty() && limited.unit() == Limit.Unit.REQUESTS;
        return new Decision.PauseModel(
                limited, longer(limited.retryAfter(), window.plus(pacing.margin())), learned, widen);
    }

    /** The provider's wait when it asked for a longer one than ours. */
    private static Duration longer(Optional<Duration> asked, Duration ours) {
        return asked.filter(wait -> wait.compareTo(ours) > 0).orElse(ours);
    }
}
