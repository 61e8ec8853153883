package dev.sluice.db.pacer;

/**
 * One (credential, model) budget as locked for a decision; all times in microseconds since the epoch
 * on PostgreSQL's clock.
 *
 * @param sentUs        send times of the recent dispatches, oldest first
 * @param busyUntilUs   lease ends of the requests in flight
 * @param pausedUntilUs no dispatch before this, or null
 * @param nowUs         the database's clock, read once the row's lock was held
 */
public record BudgetRow(long[] sentUs, long[] busyUntilUs, Long pausedUntilUs, long nowUs) {}
