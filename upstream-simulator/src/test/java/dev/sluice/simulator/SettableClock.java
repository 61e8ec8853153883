package dev.sluice.simulator;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock the test moves by hand, so window tests tick instead of sleeping. */
public final class SettableClock implements InstantSource {

    private volatile Instant now;

    public SettableClock(Instant start) {
        this.now = start;
    }

    /** A clock at an instant aligned to a multiple of {@code window}: the start of a fixed window. */
    public static SettableClock alignedTo(Duration window) {
        long w = window.toMillis();
        return new SettableClock(Instant.ofEpochMilli(1_800_000_000_000L / w * w));
    }

    @Override
    public Instant instant() {
        return now;
    }

    public void advance(Duration by) {
        now = now.plus(by);
    }

    public void set(Instant instant) {
        now = instant;
    }
}
