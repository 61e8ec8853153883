package dev.sluice.simulator.stats;

/** The most arrivals in one window, over sorted epoch-nanosecond arrival times. */
final class WindowMax {

    private WindowMax() {
    }

    /** Most arrivals in any interval (t - w, t]: the sliding-window definition the limiter enforces. */
    static int inAnyWindow(long[] sorted, int size, long w) {
        int best = 0;
        int first = 0;
        for (int i = 0; i < size; i++) {
            while (sorted[i] - sorted[first] >= w) {
                first++;
            }
            best = Math.max(best, i - first + 1);
        }
        return best;
    }

    /** Most arrivals in one window [kw, (k+1)w) aligned to epoch multiples of w. */
    static int inFixedWindow(long[] sorted, int size, long w) {
        int best = 0;
        int run = 0;
        long current = Long.MIN_VALUE;
        for (int i = 0; i < size; i++) {
            long index = Math.floorDiv(sorted[i], w);
            run = index == current ? run + 1 : 1;
            current = index;
            best = Math.max(best, run);
        }
        return best;
    }
}
