package dev.sluice.simulator.limit;

import java.time.Duration;

/** Fixed window: one running total for the current window [kW, (k+1)W), k = floor(epoch / W). */
final class FixedWindow implements Window {

    private static final class Charge implements Entry {
        final long index;
        long amount;

        Charge(long index, long amount) {
            this.index = index;
            this.amount = amount;
        }
    }

    private final long capacity;
    private final long w;
    private long index = Long.MIN_VALUE;
    private long used;

    FixedWindow(long capacity, Duration length) {
        this.capacity = capacity;
        this.w = length.toNanos();
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public Duration length() {
        return Duration.ofNanos(w);
    }

    @Override
    public long used(long now) {
        long i = Math.floorDiv(now, w);
        if (i != index) {
            index = i;
            used = 0;
        }
        return used;
    }

    @Override
    public Duration waitFor(long now, long amount) {
        if (used(now) + amount <= capacity) {
            return Duration.ZERO;
        }
        return amount > capacity ? null : untilNext(now);
    }

    @Override
    public Duration resetIn(long now) {
        return used(now) == 0 ? Duration.ZERO : untilNext(now);
    }

    @Override
    public Entry charge(long now, long amount) {
        used(now);
        used += amount;
        return new Charge(index, amount);
    }

    @Override
    public void correct(Entry entry, long amount) {
        Charge c = (Charge) entry;
        if (c.index == index) {
            used += amount - c.amount;
        }
        c.amount = amount;
    }

    private Duration untilNext(long now) {
        return Duration.ofNanos((Math.floorDiv(now, w) + 1) * w - now);
    }
}
