package dev.sluice.db.pacer;

/**
 * One (credential, model) budget as locked for a decision; all times in microseconds since the epoch on
 * PostgreSQL's clock.
 *
 * @param sentUs        the ledger of recent dispatches, oldest first: entry i was sent at {@code sentUs[i]} ...
 * @param sentCounts    ... and counts {@code sentCounts[i]} requests (more than one where entries were merged) ...
 * @param sentTokens    ... and {@code sentTokens[i]} tokens
 * @param busyUntilUs   lease ends of the requests in flight
 * @param pausedUntilUs no dispatch before this, or null
 * @param nowUs         the database's clock, read once the row's lock was held
 */
public record BudgetRow(
        long[] sentUs, int[] sentCounts, long[] sentTokens, long[] busyUntilUs, Long pausedUntilUs, long nowUs) {

    public BudgetRow {
        if (sentCounts.length != sentUs.length || sentTokens.length != sentUs.length) {
            throw new IllegalArgumentException("the ledger's arrays differ in length: " + sentUs.length + ", "
                    + sentCounts.length + ", " + sentTokens.length);
        }
    }

    /** An empty budget at {@code nowUs}. */
    public static BudgetRow empty(long nowUs) {
        return new BudgetRow(new long[0], new int[0], new long[0], new long[0], null, nowUs);
    }

    /** The same budget with a different ledger. */
    public BudgetRow withLedger(long[] sentUs, int[] sentCounts, long[] sentTokens) {
        return new BudgetRow(sentUs, sentCounts, sentTokens, busyUntilUs, pausedUntilUs, nowUs);
    }

    /** The same budget with different leases. */
    public BudgetRow withBusyUntil(long[] busyUntilUs) {
        return new BudgetRow(sentUs, sentCounts, sentTokens, busyUntilUs, pausedUntilUs, nowUs);
    }

    /** The same budget paused until {@code pausedUntilUs} (null: not paused). */
    public BudgetRow withPausedUntil(Long pausedUntilUs) {
        return new BudgetRow(sentUs, sentCounts, sentTokens, busyUntilUs, pausedUntilUs, nowUs);
    }

    /** The same budget as read at {@code nowUs}. */
    public BudgetRow at(long nowUs) {
        return new BudgetRow(sentUs, sentCounts, sentTokens, busyUntilUs, pausedUntilUs, nowUs);
    }
}
