package dev.sluice.worker.pacing;

import dev.sluice.common.Limit;
import dev.sluice.db.pacer.BudgetRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pacing rule, as pure functions of one (credential, model) budget: a dispatch is granted at
 * {@code now} only if fewer than N earlier dispatches were sent within the last W + margin, fewer than
 * the concurrency cap are in flight, and the budget is not paused. All times are microseconds on the
 * database's clock; nothing here reads a clock or sleeps, so tests drive it with plain numbers.
 *
 * <p>A dispatch granted at {@code now} is recorded as sent at {@code now + allowance}, the latest it is
 * expected to leave: the rule then holds between <em>actual</em> send times for every request that
 * leaves within the allowance, without rewriting the row once it has left; only a later one needs
 * {@link #sent} (see {@link GlobalPacer#sent}). A dispatch under no concurrency cap holds no lease
 * ({@link #NO_LEASE}), so its release has nothing to write.
 */
final class Budget {

    /** The lease end of a grant made under no concurrency cap: it holds no lease, and its release changes nothing. */
    static final long NO_LEASE = 0;

    private Budget() {}

    /** What a decision came to: a dispatch now, or the earliest instant worth asking again. */
    sealed interface Decision {

        /** The row to store. */
        BudgetRow row();
    }

    /**
     * Go: the dispatch was recorded as sent at {@code sentUs} and holds a concurrency lease until
     * {@code leaseUntilUs} (or none, {@link #NO_LEASE}, when the model has no concurrency cap).
     *
     * @param row          the budget with the dispatch recorded
     * @param sentUs       the send time recorded for it: the decision's instant plus the allowance
     * @param leaseUntilUs when its concurrency lease runs out if never released, or {@link #NO_LEASE}
     */
    record Granted(BudgetRow row, long sentUs, long leaseUntilUs) implements Decision {}

    /**
     * Not yet: ask again at {@code untilUs}.
     *
     * @param row     the budget, unchanged
     * @param untilUs the earliest instant a dispatch could be granted
     * @param reason  what holds it back, for logs and metrics
     */
    record Wait(BudgetRow row, long untilUs, String reason) implements Decision {}

    /**
     * Decides on one dispatch at the row's {@code nowUs}; if granted, it is recorded as sent
     * {@code allowance} later, and holds a lease only if {@code maxConcurrency} is set.
     */
    static Decision decide(
            BudgetRow row, Limit limit, Duration margin, Integer maxConcurrency, Duration lease, Duration allowance) {
        long now = row.nowUs();
        long span = micros(limit.window().plus(margin));
        if (row.pausedUntilUs() != null && row.pausedUntilUs() > now) {
            return new Wait(row, row.pausedUntilUs(), "paused");
        }
        // A send at s constrains sends until s + W + margin; older ones are forgotten.
        long[] recent =
                Arrays.stream(row.sentUs()).filter(s -> s + span > now).sorted().toArray();
        long[] busy =
                Arrays.stream(row.busyUntilUs()).filter(b -> b > now).sorted().toArray();
        if (recent.length >= limit.requests()) {
            // The new send fits once only N - 1 of these remain, i.e. when the (k - N)-th one leaves.
            return new Wait(row, recent[recent.length - limit.requests()] + span, "rate");
        }
        if (maxConcurrency != null && busy.length >= maxConcurrency) {
            return new Wait(row, busy[0], "concurrency");
        }
        long sent = now + micros(allowance);
        if (maxConcurrency == null) {
            // No cap: nothing counts requests in flight, so none is leased (leases of an earlier cap lapse as before).
            return new Granted(new BudgetRow(append(recent, sent), busy, null, now), sent, NO_LEASE);
        }
        long leaseUntil = now + micros(lease);
        BudgetRow granted = new BudgetRow(append(recent, sent), append(busy, leaseUntil), null, now);
        return new Granted(granted, sent, leaseUntil);
    }

    /**
     * Decides on up to {@code max} dispatches at the same instant (a burst), each under the rule as the
     * previous ones left it; returns the grants (possibly none) and the row to store.
     */
    static Burst decideMany(
            BudgetRow row,
            Limit limit,
            Duration margin,
            Integer maxConcurrency,
            Duration lease,
            Duration allowance,
            int max) {
        List<Granted> grants = new ArrayList<>();
        BudgetRow current = row;
        Decision decision = decide(current, limit, margin, maxConcurrency, lease, allowance);
        while (decision instanceof Granted granted) {
            grants.add(granted);
            current = granted.row();
            if (grants.size() == max) {
                return new Burst(grants, current, null);
            }
            decision = decide(current, limit, margin, maxConcurrency, lease, allowance);
        }
        Wait wait = (Wait) decision;
        return new Burst(grants, current, grants.isEmpty() ? wait : null);
    }

    /**
     * The outcome of {@link #decideMany}.
     *
     * @param grants the dispatches granted, all at the row's {@code nowUs}
     * @param row    the row to store
     * @param notBefore when nothing was granted, when to ask again; otherwise null
     */
    record Burst(List<Granted> grants, BudgetRow row, Wait notBefore) {}

    /**
     * Moves a dispatch's recorded send time {@code recordedUs} to when its bytes actually left, if that was
     * later (never earlier).
     */
    static BudgetRow sent(BudgetRow row, long recordedUs, long actualUs) {
        long[] sent = row.sentUs().clone();
        for (int i = 0; i < sent.length; i++) {
            if (sent[i] == recordedUs) {
                if (actualUs <= recordedUs) {
                    return row;
                }
                sent[i] = actualUs;
                Arrays.sort(sent);
                return new BudgetRow(sent, row.busyUntilUs(), row.pausedUntilUs(), row.nowUs());
            }
        }
        // Already forgotten (its window passed): nothing constrains on it any more.
        return row;
    }

    /** Ends a dispatch's concurrency lease: its request is no longer in flight. Without a lease, the same row. */
    static BudgetRow release(BudgetRow row, long leaseUntilUs) {
        if (leaseUntilUs == NO_LEASE) {
            return row;
        }
        return new BudgetRow(row.sentUs(), remove(row.busyUntilUs(), leaseUntilUs), row.pausedUntilUs(), row.nowUs());
    }

    /** Takes back a dispatch that was never sent (no job to send after all): frees its slot and its lease. */
    static BudgetRow cancel(BudgetRow row, long sentUs, long leaseUntilUs) {
        long[] busy = leaseUntilUs == NO_LEASE ? row.busyUntilUs() : remove(row.busyUntilUs(), leaseUntilUs);
        return new BudgetRow(remove(row.sentUs(), sentUs), busy, row.pausedUntilUs(), row.nowUs());
    }

    /** No dispatch before {@code untilUs} (a 429): extends a pause, never shortens it. */
    static BudgetRow pause(BudgetRow row, long untilUs) {
        long until = row.pausedUntilUs() == null ? untilUs : Math.max(row.pausedUntilUs(), untilUs);
        return new BudgetRow(row.sentUs(), row.busyUntilUs(), until, row.nowUs());
    }

    static long micros(Duration duration) {
        return duration.toNanos() / 1_000;
    }

    private static long[] append(long[] values, long value) {
        long[] out = Arrays.copyOf(values, values.length + 1);
        out[values.length] = value;
        Arrays.sort(out);
        return out;
    }

    /** Removes one occurrence of {@code value}. */
    private static long[] remove(long[] values, long value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                long[] out = new long[values.length - 1];
                System.arraycopy(values, 0, out, 0, i);
                System.arraycopy(values, i + 1, out, i, values.length - i - 1);
                return out;
            }
        }
        return values;
    }
}
