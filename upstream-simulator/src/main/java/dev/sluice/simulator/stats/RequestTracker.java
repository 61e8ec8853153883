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
    private boolean charged;

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
            long at = nanos(a.arrivedAt());
            if (a.requests() != null) {
                long w = a.requests().window().toNanos();
                model.arrivals.add(at, w);
                keyModel.arrivals.add(at, w);
            }
            if (a.extra() != null) {
                long w = a.extra().window().toNanos();
                model.extraArrivals.add(at, w);
                keyModel.extraArrivals.add(at, w);
            }
        }
    }

    /**
     * The request's token charge is final (corrected, or kept because it failed): it joins the token
     * timeline at its arrival. Counted once; nothing without a token budget.
     */
    public synchronized void charged(Admission admission) {
        if (charged || !(admission instanceof Admission.Admitted a) || a.charge() == null) {
            return;
        }
        charged = true;
        long amount = a.charge().amount();
        long at = nanos(a.arrivedAt());
        long w = a.tokens().window().toNanos();
        total.tokensCharged.add(amount);
        model.tokensCharged.add(amount);
        keyModel.tokensCharged.add(amount);
        model.tokenCharges.add(at, amount, w);
        keyModel.tokenCharges.add(at, amount, w);
    }

    /** The answer reports {@code tokens} as its {@code usage.total_tokens}. */
    public void used(long tokens) {
        total.tokensUsed.add(tokens);
        model.tokensUsed.add(tokens);
        keyModel.tokensUsed.add(tokens);
    }

    /** About to answer 429 because {@code refusal}'s window is full; no longer in flight. */
    public void rateLimited(Admission.Refusal refusal) {
        for (Counters c : new Counters[] {total, model, keyModel}) {
            c.rateLimited.increment();
            if (refusal == Admission.Refusal.TOKENS) {
                c.rateLimitedTokens.increment();
            }
        }
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

    private static long nanos(Instant instant) {
        return ChronoUnit.NANOS.between(Instant.EPOCH, instant);
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
