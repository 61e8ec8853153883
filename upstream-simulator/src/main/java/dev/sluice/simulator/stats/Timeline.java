package dev.sluice.simulator.stats;

import java.util.Arrays;

/**
 * Accepted arrival times (epoch nanoseconds), to compute the window maxima exactly. Arrivals from different
 * API keys may be appended slightly out of order, so they are sorted when read.
 *
 * <p>Memory stays bounded: past {@link #CAPACITY} entries the older ones are folded into running maxima
 * (computed with the W in force at that moment) and only the last window's worth is kept.
 */
final class Timeline {

    static final int CAPACITY = 1 << 20;

    private long[] times = new long[64];
    private int size;
    private int foldedAny;
    private int foldedFixed;

    synchronized void add(long epochNanos, long windowNanos) {
        if (size == CAPACITY) {
            fold(windowNanos);
        }
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
        }
        times[size++] = epochNanos;
    }

    /** {maxInAnyWindow, maxInFixedWindow} for window length {@code windowNanos}. */
    synchronized int[] maxima(long windowNanos) {
        Arrays.sort(times, 0, size);
        return new int[] {
            Math.max(foldedAny, WindowMax.inAnyWindow(times, size, windowNanos)),
            Math.max(foldedFixed, WindowMax.inFixedWindow(times, size, windowNanos))
        };
    }

    private void fold(long w) {
        int[] m = maxima(w);
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
        size -= from;
    }
}
