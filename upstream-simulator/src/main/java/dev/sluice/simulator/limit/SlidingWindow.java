package dev.sluice.simulator.limit;

import java.time.Duration;
import java.util.ArrayDeque;

/** Sliding window: the charges of the last W, oldest first; a charge at t counts in [t, t + W). */
final class SlidingWindow extends Window {

    private static final class Charge implements Entry {
        final long at;
        long amount;
        boolean live = true;

        Charge(long at, long amount) {
            this.at = at;
            this.amount = amount;
        }
    }

    private final ArrayDeque<Charge> charges = new ArrayDeque<>();
    private long used;

    SlidingWindow(long capacity, Duration length) {
        super(capacity, length);
    }

    @Override
    long used(long now) {
        // At exactly t + W a charge has left the window.
        while (!charges.isEmpty() && charges.peekFirst().at <= now - w) {
            Charge gone = charges.pollFirst();
            gone.live = false;
            used -= gone.amount;
        }
        return used;
    }

    @Override
    Duration waitFor(long now, long amount) {
        long over = used(now) + amount - capacity;
        if (over <= 0) {
            return Duration.ZERO;
        }
        if (amount > capacity) {
            return null;
        }
        long freed = 0;
        for (Charge c : charges) {
            freed += c.amount;
            if (freed >= over) {
                return Duration.ofNanos(c.at + w - now);
            }
        }
        throw new IllegalStateException("the window holds " + used + " but its charges free only " + freed);
    }

    @Override
    Duration resetIn(long now) {
        used(now);
        return charges.isEmpty() ? Duration.ZERO : Duration.ofNanos(charges.peekLast().at + w - now);
    }

    @Override
    Entry charge(long now, long amount) {
        used(now);
        Charge c = new Charge(now, amount);
        charges.addLast(c);
        used += amount;
        return c;
    }

    @Override
    void correct(Entry entry, long amount) {
        Charge c = (Charge) entry;
        if (c.live) {
            used += amount - c.amount;
            c.amount = amount;
        }
    }
}
