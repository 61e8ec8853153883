package dev.sluice.common;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The life of one {@code Job}. {@link #canMoveTo} lists exactly the moves the database makes
 * ({@code db/.../job/JobTransitions}, one named statement per path), and the database mirrors the terminal
 * states as CHECK constraints ({@code completed_at} is set iff the status is terminal).
 *
 * <pre>
 * queued ──claim──► running ──► succeeded | failed
 *   │  ▲               │                      ▲
 *   │  └─retry, 429,───┤                      │
 *   │    lapsed lease  └── lapsed lease on ───┘
 *   │                      the last attempt (worker_lost)
 *   └──► cancelled | expired
 * </pre>
 */
public enum JobStatus {

    /** Stored and waiting for a worker; may have been published to the model's queue already. */
    QUEUED,
    /** Claimed: one claim holds a lease on it (on the database's clock) and is calling the provider. */
    RUNNING,
    /** The provider answered 2xx; the response is stored. */
    SUCCEEDED,
    /** The provider refused it permanently, retries ran out, or its worker died on its last attempt. */
    FAILED,
    /** Cancelled by the client before a worker started it. */
    CANCELLED,
    /** Its batch's completion window closed before a worker started it. */
    EXPIRED;

    private static final Set<JobStatus> TERMINAL = EnumSet.of(SUCCEEDED, FAILED, CANCELLED, EXPIRED);

    /** True for the states a job never leaves. */
    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }

    /** Whether a job in this state may move to {@code next}: exactly the moves {@code JobTransitions} makes. */
    public boolean canMoveTo(JobStatus next) {
        return switch (this) {
            case QUEUED -> next == RUNNING || next == CANCELLED || next == EXPIRED;
            case RUNNING -> next == SUCCEEDED || next == FAILED || next == QUEUED;
            case SUCCEEDED, FAILED, CANCELLED, EXPIRED -> false;
        };
    }

    /** The lowercase name used in JSON and in the database. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the lowercase wire name; throws {@link IllegalArgumentException} for anything else. */
    public static JobStatus fromWire(String value) {
        for (JobStatus status : values()) {
            if (status.wire().equals(value)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown job status '" + value + "'");
    }
}
