package dev.sluice.worker;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock that stands still until a test moves it (db-scheduler's {@code SettableClock}). */
public final class SettableClock implements InstantSource {

    private volatile Instant now;

    public SettableClock(Instant start) {
        this.now = start;
    }

    public SettableClock() {
        this(Instant.parse("2025-01-01T00:00:00Z"));
    }

    @Override
    public Instant instant() {
        return now;
    }

    /** Moves the clock forward. */
    public void tick(Duration duration) {
        now = now.plus(duration);
    }

    /** Moves the clock forward by {@code millis}. */
    public void tickMillis(long millis) {
        tick(Duration.ofMillis(millis));
    }
}
