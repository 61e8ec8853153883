package dev.sluice.simulator.stats;

import java.util.Arrays;

/**
 * Charges at their times (epoch nanoseconds) with their weights (1 per accepted request, or a request's
 * tokens), to compute the window maxima exactly. Charges from different API keys, and token charges
 * recorded when a request ends, may come slightly out of order: each is inserted in its place.
 *
 * <p>Memory stays bounded: past {@link #CAPACITY} entries the older ones are folded into running maxima
 * (computed with the W in force at that moment) and only the last window's worth is kept.
 */
final class Timeline {

    static final int CAPACITY = 1 << 20;

    private long[] times = new long[64];
    private long[] weights = new long[64];
    private int size;
    private long foldedAny;
    private long foldedFixed;

    /** One accepted arrival. */
    void add(long epochNanos, long windowNanos) {
        add(epochNanos, 1, windowNanos);
    }

    synchronized void add(long epochNanos, long weight, long windowNanos) {
        if (size == CAPACITY) {
            fold(windowNanos);
        }
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            weights = Arrays.copyOf(weights, size * 2);
        }
        int at = size;
        while (at > 0 && times[at - 1] > epochNanos) {
            at--;
        }
        System.arraycopy(times, at, times, at + 1, size - at);
        System.arraycopy(weights, at, weights, at + 1, size - at);
        times[at] = epochNanos;
        weights[at] = weight;
        size++;
    }

    /** {maxInAnyWindow, maxInFixedWindow} for window length {@code windowNanos}. */
    synchronized long[] maxima(long windowNanos) {
        return new long[] {
            Math.max(foldedAny, WindowMax.inAnyWindow(times, weights, size, windowNanos)),
            Math.max(foldedFixed, WindowMax.inFixedWindow(times, weights, size, windowNanos))
        };
    }

    private void fold(long w) {
        long[] m = maxima(w);
        foldedAny = m[0];
        foldedFixed = m[1];
        long last = times[size - 1];
        // Keep what later arrivals may still share a window with: the last W and the last fixed window.
        long keepFrom = Math.min(last - w + 1, Math.floorDiv(last, w) * w);
        int from = 0;
        while (from < size && times[from] < keepFrom) {
            from++;
        }
        System.arraycopy(times, from, times, 0, size - from);
        System.arraycopy(weights, from, weights, 0, size - from);
        size -= from;
    }
}
