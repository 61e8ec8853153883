package dev.sluice.simulator.limit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;

/** Fixed window: a counter for the current window index floor(epoch / W). */
final class FixedBucket implements Bucket {

    private long window = Long.MIN_VALUE;
    private int count;
    private long last = Long.MIN_VALUE;

    @Override
    public synchronized Admission admit(InstantSource clock, Limit limit) {
        Instant now = clock.instant();
        long w = limit.window().toNanos();
        long t = Math.max(ChronoUnit.NANOS.between(Instant.EPOCH, now), last);
        last = t;
        long index = Math.floorDiv(t, w);
        if (index != window) {
            window = index;
            count = 0;
        }
        Duration untilNext = Duration.ofNanos((index + 1) * w - t);
        if (count >= limit.requests()) {
            return new Admission.Rejected(now, limit, untilNext, untilNext);
        }
        count++;
        return new Admission.Admitted(now, limit, limit.requests() - count, untilNext);
    }
}
