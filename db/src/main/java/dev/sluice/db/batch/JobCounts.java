package dev.sluice.db.batch;

/**
 * How many of a batch's jobs are in each state.
 *
 * @param queued    waiting for a worker
 * @param running   claimed by a worker
 * @param succeeded answered 2xx
 * @param failed    failed for good
 * @param cancelled cancelled before they ran
 * @param expired   not started within the completion window
 */
public record JobCounts(int queued, int running, int succeeded, int failed, int cancelled, int expired) {

    /** All jobs. */
    public int total() {
        return queued + running + succeeded + failed + cancelled + expired;
    }

    /** Jobs not yet terminal. */
    public int unfinished() {
        return queued + running;
    }

    /** Terminal jobs that did not succeed: what the error file lists. */
    public int unsuccessful() {
        return failed + cancelled + expired;
    }
}
