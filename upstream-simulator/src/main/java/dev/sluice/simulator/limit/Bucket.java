package dev.sluice.simulator.limit;

import java.time.InstantSource;

/** The budget of one (API key, model) pair. Implementations are thread-safe. */
interface Bucket {

    /**
     * Reads the clock and decides, atomically, so arrival instants within one bucket are monotonic and
     * the count is exact under concurrency.
     */
    Admission admit(InstantSource clock, Limit limit);
}
