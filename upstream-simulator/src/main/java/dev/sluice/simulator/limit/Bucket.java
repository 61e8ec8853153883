package dev.sluice.simulator.limit;

import java.time.InstantSource;

/** The budget of one (API key, model) pair. Implementations are thread-safe. */
interface Bucket {

    /**
     * Reads the arrival instant and decides, atomically, so the count is exact under concurrency. An
     * arrival earlier than one already counted (two handlers racing) is counted at the later instant, so
     * instants within one bucket stay monotonic; that only ever keeps a request in the window longer.
     */
    Admission admit(InstantSource clock, Limit limit);
}
