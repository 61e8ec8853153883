package dev.sluice.worker.pacing;

import dev.sluice.common.Limit;
import java.time.Instant;

/**
 * Decides when the next request to one model may leave. Today one {@link LocalPacer} per model per
 * worker; a global pacer shared by every worker will implement the same contract.
 */
public interface Pacer {

    /** Blocks until one more dispatch fits the model's limit, and counts it as sent now. */
    void acquire() throws InterruptedException;

    /** Lets no dispatch leave before {@code until} (after a 429, until the provider's window has cleared). */
    void pauseUntil(Instant until);

    /** Adopts a limit the provider revealed, when it is stricter than the one in force. */
    void learn(Limit limit);

    /** The limit in force. */
    Limit limit();
}
