package dev.sluice.simulator.limit;

/**
 * The tokens one admitted request was charged on arrival, until {@link RateLimiter#settle} corrects them
 * to its actual usage. Thread-safe through the lock of the budget it belongs to.
 */
public final class Charge {

    private final Budgets budgets;
    private final Window.Entry entry;
    private final long estimated;
    private long amount;

    Charge(Budgets budgets, Window.Entry entry, long estimated) {
        this.budgets = budgets;
        this.entry = entry;
        this.estimated = estimated;
        this.amount = estimated;
    }

    /** What was charged on arrival: prompt tokens plus the completion tokens asked for. */
    public long estimated() {
        return estimated;
    }

    /** What it is charged now: {@link #estimated()} until corrected. */
    public long amount() {
        synchronized (budgets) {
            return amount;
        }
    }

    void correct(long actual) {
        synchronized (budgets) {
            budgets.correct(entry, actual);
            amount = actual;
        }
    }
}
