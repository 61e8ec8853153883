package dev.sluice.worker;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of the worker's loops that looks for work PostgreSQL announces, on a thread of its own: it runs its pass, then
 * sleeps until it is rung ({@link #ring}), until the time the pass asked for, or until its period ends, whichever
 * comes first. The period is short ({@code deafPeriod}) while the worker's listening connection is down, since an
 * announcement may be missed then, and long ({@code listeningPeriod}, only a safety net) while it listens.
 */
final class WakingLoop {

    private static final Logger log = LoggerFactory.getLogger(WakingLoop.class);

    private final String name;
    private final Duration deafPeriod;
    private final Duration listeningPeriod;
    private final BooleanSupplier listening;
    private final InstantSource clock;
    /** Runs once; returns when to run again at the latest (empty: at the end of the period). */
    private final Supplier<Optional<Instant>> pass;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition rung = lock.newCondition();
    private boolean ringing;
    private volatile Thread thread;

    WakingLoop(
            String name,
            Duration deafPeriod,
            Duration listeningPeriod,
            BooleanSupplier listening,
            InstantSource clock,
            Supplier<Optional<Instant>> pass) {
        this.name = name;
        this.deafPeriod = deafPeriod;
        this.listeningPeriod = listeningPeriod;
        this.listening = listening;
        this.clock = clock;
        this.pass = pass;
    }

    /** Starts the loop; its first pass runs after {@code first}. */
    synchronized void start(Duration first) {
        if (thread == null) {
            thread = Thread.ofVirtual().name("sluice-" + name).start(() -> run(first));
        }
    }

    synchronized void stop() {
        Thread running = thread;
        thread = null;
        if (running != null) {
            running.interrupt();
        }
    }

    /** There may be work: the next pass runs now (once, however often it is rung meanwhile). */
    void ring() {
        lock.lock();
        try {
            ringing = true;
            rung.signal();
        } finally {
            lock.unlock();
        }
    }

    private void run(Duration first) {
        try {
            Optional<Instant> next = Optional.of(clock.instant().plus(first));
            while (!Thread.currentThread().isInterrupted()) {
                sleepUntil(next);
                next = runPass();
            }
        } catch (InterruptedException e) {
            // Stopped.
        }
    }

    private Optional<Instant> runPass() {
        try {
            return pass.get();
        } catch (RuntimeException e) {
            log.warn("{} failed; trying again in {}", name, deafPeriod, e);
            return Optional.of(clock.instant().plus(deafPeriod));
        }
    }

    private void sleepUntil(Optional<Instant> asked) throws InterruptedException {
        Instant slept = clock.instant();
        lock.lock();
        try {
            while (!ringing) {
                // Read each time round: the connection may have stopped listening meanwhile.
                Instant end = slept.plus(listening.getAsBoolean() ? listeningPeriod : deafPeriod);
                Instant until = asked.filter(end::isAfter).orElse(end);
                long nanos = Duration.between(clock.instant(), until).toNanos();
                if (nanos <= 0) {
                    break;
                }
                rung.awaitNanos(nanos);
            }
            ringing = false;
        } finally {
            lock.unlock();
        }
    }
}
