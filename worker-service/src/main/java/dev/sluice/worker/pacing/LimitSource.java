package dev.sluice.worker.pacing;

import dev.sluice.common.LimitSet;
import dev.sluice.common.TokenEstimate;
import java.time.Duration;

/**
 * What the pacer needs to know of a model: its limits in force, its concurrency cap, what a request costs in tokens
 * and whether it is paused.
 */
interface LimitSource {

    /** Every limit in force for {@code model}. */
    LimitSet limits(String model);

    /** The most requests to {@code model} in flight at once per credential, or null for no cap. */
    Integer maxConcurrency(String model);

    /** The tokens to reserve for a request to {@code model} with this estimate. */
    default long cost(String model, TokenEstimate estimate) {
        return estimate.cost(1.0, 0);
    }

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
