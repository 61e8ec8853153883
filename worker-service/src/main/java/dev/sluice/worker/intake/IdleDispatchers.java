package dev.sluice.worker.intake;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Tells which dispatchers have been idle long enough to be released: a dispatcher is idle from the moment the
 * intake sees its count of started messages stop moving with nothing in flight, and long enough once that has
 * lasted {@code releaseAfter}. Any message started or job in flight starts the wait again. Not thread-safe: the
 * intake calls it under its own lock.
 */
final class IdleDispatchers {

    /** What was seen of one dispatcher: its started count, whether it had work in flight, and since when. */
    private record Seen(long started, boolean busy, Instant since) {}

    private final Duration releaseAfter;
    private final Map<String, Seen> seen = new HashMap<>();

    IdleDispatchers(Duration releaseAfter) {
        this.releaseAfter = releaseAfter;
    }

    /**
     * Records what {@code model}'s dispatcher reports at {@code now}; true when it has started nothing and had
     * nothing in flight for at least {@code releaseAfter}.
     */
    boolean idleLongEnough(String model, long started, int inFlight, Instant now) {
        Seen last = seen.get(model);
        boolean busy = inFlight > 0;
        if (last == null || last.started() != started || busy || last.busy()) {
            seen.put(model, new Seen(started, busy, now));
            return false;
        }
        return !now.isBefore(last.since().plus(releaseAfter));
    }

    /** Forgets a dispatcher that was stopped; a new one starts with a fresh wait. */
    void forget(String model) {
        seen.remove(model);
    }
}
