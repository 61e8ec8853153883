package dev.sluice.simulator.stats;

import dev.sluice.simulator.limit.Admission;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Records the outcome of one valid request. It holds the counters it started with, so a request still in
 * flight across a {@code /__reset} updates the old epoch's counters and never skews the new ones.
 *
 * <p>Record the outcome just <em>before</em> writing the response: a client that reads {@code /__stats}
 * (or sends its next request) as soon as it has its answer must find it counted and no longer in flight,
 * or {@code max_concurrency} would count that client's next request on top of the finished one.
 */
public final class RequestTracker implements AutoCloseable {

    private final Counters total;
    private final Counters model;
    private final Counters keyModel;
    private boolean done;

    RequestTracker(Counters total, Counters model, Counters keyModel) {
        this.total = total;
        this.model = model;
        this.keyModel = keyModel;
        total.enter();
        model.enter();
        keyModel.enter();
    }

    /** The limiter admitted it; a metered arrival joins the timelines behind the window maxima. */
    public void accepted(Admission admission) {
        total.accepted.increment();
        model.accepted.increment();
        keyModel.accepted.increment();
        if (admission instanceof Admission.Admitted a) {
            long at = ChronoUnit.NANOS.between(Instant.EPOCH, a.arrivedAt());
            long w = a.limit().window().toNanos();
            model.arrivals.add(at, w);
            keyModel.arrivals.add(at, w);
        }
    }

    /** About to answer 429; no longer in flight. */
    public void rateLimited() {
        total.rateLimited.increment();
        model.rateLimited.increment();
        keyModel.rateLimited.increment();
        close();
    }

    /** About to answer 2xx; no longer in flight. */
    public void answered() {
        total.answered.increment();
        model.answered.increment();
        keyModel.answered.increment();
        close();
    }

    /** About to fail the request as {@code kind}; no longer in flight. */
    public void failed(ErrorKind kind) {
        hanging(kind);
        close();
    }

    /** Counts the failure now but stays in flight: a hang is counted when it starts and lasts a long time. */
    public void hanging(ErrorKind kind) {
        total.errors[kind.ordinal()].increment();
        model.errors[kind.ordinal()].increment();
        keyModel.errors[kind.ordinal()].increment();
    }

    /** No longer in flight; idempotent, so it also closes whatever an exception left open. */
    @Override
    public synchronized void close() {
        if (!done) {
            done = true;
            total.exit();
            model.exit();
            keyModel.exit();
        }
    }
}
