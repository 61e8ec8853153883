package dev.sluice.common;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The life of one {@code Batch}, with exactly OpenAI's status values and no others. {@link #canMoveTo} lists
 * exactly the moves the database makes ({@code db/.../batch/BatchTransitions}, one statement per arrow):
 *
 * <pre>
 * in_progress ──► finalizing ──► completed
 *      │               └──► expired   (its window closed and some of its jobs expired)
 *      └──► cancelling ──► cancelled
 * </pre>
 *
 * A batch is stored {@code in_progress}: its input is checked before anything is stored, and bad input is refused
 * with a 400, so {@code validating} and {@code failed} exist only because OpenAI's API has them.
 */
public enum BatchStatus {

    /** OpenAI's status while the input is checked; never stored, as Sluice checks the input before storing a batch. */
    VALIDATING,
    /** OpenAI's status for invalid input; never stored, as Sluice refuses invalid input with a 400. */
    FAILED,
    /** Jobs are queued or running. */
    IN_PROGRESS,
    /** Every job is terminal; the output and error files are being written. */
    FINALIZING,
    /** Finished; output (and, if anything failed, error) files are ready. */
    COMPLETED,
    /** The completion window closed; unstarted jobs expired, finished results were kept. */
    EXPIRED,
    /** Cancel was asked for; running jobs are finishing. */
    CANCELLING,
    /** Cancelled; finished results were kept. */
    CANCELLED;

    private static final Set<BatchStatus> TERMINAL = EnumSet.of(FAILED, COMPLETED, EXPIRED, CANCELLED);

    /** True for the states a batch never leaves. */
    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }

    /** Whether a batch in this state may move to {@code next}: exactly the moves {@code BatchTransitions} makes. */
    public boolean canMoveTo(BatchStatus next) {
        return switch (this) {
            case IN_PROGRESS -> next == FINALIZING || next == CANCELLING;
            case FINALIZING -> next == COMPLETED || next == EXPIRED;
            case CANCELLING -> next == CANCELLED;
            case VALIDATING, FAILED, COMPLETED, EXPIRED, CANCELLED -> false;
        };
    }

    /** The lowercase name used in JSON and in the database. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the lowercase wire name; throws {@link IllegalArgumentException} for anything else. */
    public static BatchStatus fromWire(String value) {
        for (BatchStatus status : values()) {
            if (status.wire().equals(value)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown batch status '" + value + "'");
    }
}
