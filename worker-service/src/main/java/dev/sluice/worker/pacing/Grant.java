package dev.sluice.worker.pacing;

import dev.sluice.common.LimitSet;
import java.time.Duration;

/**
 * Permission to send one request to a model with one credential, from {@link GlobalPacer#acquire}.
 * It must end in exactly one of {@link GlobalPacer#cancel} (nothing was sent) or
 * {@link GlobalPacer#release} (the request went out and is no longer in flight).
 *
 * @param credential    the key to send it with
 * @param model         the model
 * @param sentUs        the send time recorded for it, database clock: the grant plus the send allowance
 * @param tokens        the tokens reserved for it against the model's token limits
 * @param leaseUntilUs  when its concurrency lease lapses if never released, or 0 when it holds none
 *                      (the model had no concurrency cap)
 * @param grantedNanos  the pacer's {@link MonotonicClock} when the grant was decided (just after the row was
 *                      locked and its clock read); {@link System#nanoTime()} in production
 * @param limits        the limits the grant was decided under: a 429 to its request is judged against them, not
 *                      against what other 429s of the same burst taught meanwhile
 * @param margin        the safety margin it was decided under
 * @param fillsWindow   whether its burst left a limit's window full: its send time is then corrected to when it
 *                      actually left, earlier than the reservation, if that frees its slot sooner ({@link
 *                      GlobalPacer#sentAll})
 */
public record Grant(
        Credential credential,
        String model,
        long sentUs,
        long tokens,
        long leaseUntilUs,
        long grantedNanos,
        LimitSet limits,
        Duration margin,
        boolean fillsWindow) {}
