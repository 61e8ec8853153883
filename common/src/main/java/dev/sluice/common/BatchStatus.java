package dev.sluice.common;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The life of one {@code Batch}, with exactly OpenAI's status values and no others.
 *
 * <pre>
 * validating ──► in_progress ──► finalizing ──► completed
 *     │               │  └──► cancelling ──► cancelled
 *     ▼               └──► expired
 *   failed
 * </pre>
 */
public enum BatchStatus {

    /** The input is being checked; inline batches pass through it inside the creating transaction. */
    VALIDATING,
    /** The input was invalid; no job was created. */
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

    /** Whether a batch in this state may move to {@code next}. */
    public boolean canMoveTo(BatchStatus next) {
        return switch (this) {
            case VALIDATING -> next == IN_PROGRESS || next == FAILED;
            case IN_PROGRESS -> next == FINALIZING || next == CANCELLING || next == EXPIRED;
            case FINALIZING -> next == COMPLETED || next == EXPIRED || next == CANCELLED;
            case CANCELLING -> next == FINALIZING || next == CANCELLED;
            case FAILED, COMPLETED, EXPIRED, CANCELLED -> false;
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
