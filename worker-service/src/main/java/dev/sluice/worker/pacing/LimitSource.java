package dev.sluice.worker.pacing;

import dev.sluice.common.Limit;
import java.time.Duration;

/** What the pacer needs to know of a model: its limit in force and its concurrency cap. */
interface LimitSource {

    /** The limit in force for {@code model}. */
    Limit effective(String model);

    /** The most requests to {@code model} in flight at once per credential, or null for no cap. */
    Integer maxConcurrency(String model);

    /** The safety margin as widened after 429s (shared by every worker), or null for the configured one. */
    default Duration widenedMargin(String model) {
        return null;
    }

    /** Records a wider margin for every worker. */
    default void widenMargin(String model, Duration margin) {
    }
}
