package dev.sluice.simulator.limit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;

/** Sliding window: the accepted arrival instants of the last W, oldest first; never more than N of them. */
final class SlidingBucket implements Bucket {

    private final ArrayDeque<Instant> accepted = new ArrayDeque<>();

    @Override
    public synchronized Admission admit(InstantSource clock, Limit limit) {
        Instant now = clock.instant();
        if (!accepted.isEmpty() && now.isBefore(accepted.peekLast())) {
            now = accepted.peekLast();
        }
        Duration w = limit.window();
        // An arrival at t occupies its slot for [t, t + W): at exactly t + W it has left the window.
        Instant horizon = now.minus(w);
        while (!accepted.isEmpty() && !accepted.peekFirst().isAfter(horizon)) {
            accepted.pollFirst();
        }
        if (accepted.size() >= limit.requests()) {
            Duration retryAfter = Duration.between(now, accepted.peekFirst().plus(w));
            Duration resetIn = Duration.between(now, accepted.peekLast().plus(w));
            return new Admission.Rejected(now, limit, retryAfter, resetIn);
        }
        accepted.addLast(now);
        return new Admission.Admitted(now, limit, limit.requests() - accepted.size(), w);
    }
}
