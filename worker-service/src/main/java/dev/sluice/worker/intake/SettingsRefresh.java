package dev.sluice.worker.intake;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * When the intake's pass re-reads the models' settings ({@code ModelLimits.refresh}): after PostgreSQL announced a
 * change ({@link #changed}: V27's {@code sluice_models}, heard by the {@link LaneBell}), after anything that may have
 * missed one (the start, the bell listening again), at every pass while this worker runs jobs (the refresh also stores
 * the prompt-token ratios it learned from their answers) and the pass after, and otherwise every {@code fallback}. So
 * a change or a pause still applies within about a second, and an idle worker no longer re-reads every model's
 * settings every second.
 */
final class SettingsRefresh {

    private final Duration fallback;
    private final AtomicBoolean changed = new AtomicBoolean(true);
    private long lastStarted;
    private boolean wasBusy;
    private Instant lastRead;

    SettingsRefresh(Duration fallback) {
        this.fallback = fallback;
    }

    /** The settings changed, or a change may have been missed: the next pass re-reads them. */
    void changed() {
        changed.set(true);
    }

    /**
     * Whether the pass at {@code now} re-reads the settings, given how many jobs this worker's dispatchers have
     * started so far and how many they have in flight; a pass that re-reads counts as the last read. A caller whose
     * read fails calls {@link #changed} so that the next pass reads again.
     */
    synchronized boolean due(long started, int inFlight, Instant now) {
        boolean busy = inFlight > 0 || started != lastStarted;
        boolean due = changed.getAndSet(false)
                || busy
                || wasBusy
                || lastRead == null
                || !now.isBefore(lastRead.plus(fallback));
        wasBusy = busy;
        lastStarted = started;
        if (due) {
            lastRead = now;
        }
        return due;
    }
}
