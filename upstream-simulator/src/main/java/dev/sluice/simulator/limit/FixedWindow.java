package dev.sluice.simulator.limit;

import java.time.Duration;

/** Fixed window: one running total for the current window [kW, (k+1)W), k = floor(epoch / W). */
final class FixedWindow extends Window {

    private static final class Charge implements Entry {
        final long index;
        long amount;

        Charge(long index, long amount) {
            this.index = index;
            this.amount = amount;
        }
    }

    private long index = Long.MIN_VALUE;
    private long used;

    FixedWindow(long capacity, Duration length) {
        super(capacity, length);
    }

    @Override
    long used(long now) {
        long i = Math.floorDiv(now, w);
        if (i != index) {
            index = i;
            used = 0;
        }
        return used;
    }

    @Override
    Duration waitFor(long now, long amount) {
        if (used(now) + amount <= capacity) {
            return Duration.ZERO;
        }
        return amount > capacity ? null : untilNext(now);
    }

    @Override
    Duration resetIn(long now) {
        return used(now) == 0 ? Duration.ZERO : untilNext(now);
    }

    @Override
    Entry charge(long now, long amount) {
        used(now);
        used += amount;
        return new Charge(index, amount);
    }

    @Override
    void correct(Entry entry, long amount) {
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
