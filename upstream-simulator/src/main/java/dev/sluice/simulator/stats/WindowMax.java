package dev.sluice.simulator.stats;

/**
 * The most charged in one window, over sorted epoch-nanosecond times, each with a weight (1 for a request,
 * its tokens for a token charge); {@code weights} null counts each time once.
 */
final class WindowMax {

    private WindowMax() {}

    /** Most arrivals in any interval (t - w, t]: the sliding-window definition the limiter enforces. */
    static int inAnyWindow(long[] sorted, int size, long w) {
        return (int) inAnyWindow(sorted, null, size, w);
    }

    /** Most arrivals in one window [kw, (k+1)w) aligned to epoch multiples of w. */
    static int inFixedWindow(long[] sorted, int size, long w) {
        return (int) inFixedWindow(sorted, null, size, w);
    }

    /** Largest sum of weights in any interval (t - w, t]. */
    static long inAnyWindow(long[] sorted, long[] weights, int size, long w) {
        long best = 0;
        long sum = 0;
        int first = 0;
        for (int i = 0; i < size; i++) {
            sum += weight(weights, i);
            while (sorted[i] - sorted[first] >= w) {
                sum -= weight(weights, first++);
            }
            best = Math.max(best, sum);
        }
        return best;
    }

    /** Largest sum of weights in one window [kw, (k+1)w) aligned to epoch multiples of w. */
    static long inFixedWindow(long[] sorted, long[] weights, int size, long w) {
        long best = 0;
        long run = 0;
        long current = Long.MIN_VALUE;
        for (int i = 0; i < size; i++) {
            long index = Math.floorDiv(sorted[i], w);
            run = (index == current ? run : 0) + weight(weights, i);
            current = index;
            best = Math.max(best, run);
        }
        return best;
    }

    private static long weight(long[] weights, int i) {
        return weights == null ? 1 : weights[i];
    }
}
