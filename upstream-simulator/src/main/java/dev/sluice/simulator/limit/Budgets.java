package dev.sluice.simulator.limit;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Every window of one (API key, model) pair under one lock, so a request is admitted only if all of them
 * have room, and a refused one is charged in none.
 */
final class Budgets {

    private final Window requests;
    private final Window extra;
    private final Window tokens;
    private long last = Long.MIN_VALUE;

    /** Each window may be null: that one is off. */
    Budgets(Window requests, Window extra, Window tokens) {
        this.requests = requests;
        this.extra = extra;
        this.tokens = tokens;
    }

    /**
     * Decides at {@code arrivedAt}. An arrival earlier than one already counted (two handlers racing) is
     * counted at the later instant, so instants stay monotonic; that only ever keeps a charge in its window
     * longer.
     */
    synchronized Admission admit(Instant arrivedAt, long requestedTokens) {
        long now = Math.max(ChronoUnit.NANOS.between(Instant.EPOCH, arrivedAt), last);
        last = now;
        Instant at = Instant.EPOCH.plusNanos(now);
        Duration waitRequests = waitFor(requests, now, 1);
        Duration waitExtra = waitFor(extra, now, 1);
        Duration waitTokens = waitFor(tokens, now, requestedTokens);
        Admission.Refusal refusal = !Duration.ZERO.equals(waitRequests)
                ? Admission.Refusal.REQUESTS
                : !Duration.ZERO.equals(waitExtra)
                        ? Admission.Refusal.EXTRA
                        : !Duration.ZERO.equals(waitTokens) ? Admission.Refusal.TOKENS : null;
        if (refusal != null) {
            Duration retryAfter = longest(longest(waitRequests, waitExtra), waitTokens);
            return new Admission.Rejected(
                    at,
                    refusal,
                    state(requests, now),
                    state(extra, now),
                    state(tokens, now),
                    retryAfter,
                    requestedTokens);
        }
        if (requests != null) {
            requests.charge(now, 1);
        }
        if (extra != null) {
            extra.charge(now, 1);
        }
        Charge charge = tokens == null ? null : new Charge(this, tokens.charge(now, requestedTokens), requestedTokens);
        return new Admission.Admitted(at, state(requests, now), state(extra, now), state(tokens, now), charge);
    }

    /** Called by {@link Charge} under this object's lock. */
    void correct(Window.Entry entry, long amount) {
        tokens.correct(entry, amount);
    }

    private static Duration waitFor(Window w, long now, long amount) {
        return w == null ? Duration.ZERO : w.waitFor(now, amount);
    }

    /** The later of two waits, null (never) beating any. */
    private static Duration longest(Duration a, Duration b) {
        return a == null || b == null ? null : a.compareTo(b) >= 0 ? a : b;
    }

    private static WindowState state(Window w, long now) {
        return w == null ? null : WindowState.of(w, now);
    }
}
