package dev.sluice.worker.pacing;

import dev.sluice.common.Limit;
import java.time.Duration;

/** What the pacer needs to know of a model: its limit in force, its concurrency cap and whether it is paused. */
interface LimitSource {

    /** The limit in force for {@code model}. */
    Limit effective(String model);

    /** The most requests to {@code model} in flight at once per credential, or null for no cap. */
    Integer maxConcurrency(String model);

    /** Whether an operator paused the model ({@code POST /admin/pause}): no request to it may be granted. */
    default boolean paused(String model) {
        return false;
    }

    /** The safety margin as widened after 429s (shared by every worker), or null for the configured one. */
    default Duration widenedMargin(String model) {
        return null;
    }

    /** Records a wider margin for every worker. */
    default void widenMargin(String model, Duration margin) {}
}
