package dev.sluice.simulator.stats;

/** How an admitted request failed, as counted in {@link ErrorCounts}. */
public enum ErrorKind {

    /** Answered 500, 502 or 503. */
    SERVER_ERROR,

    /** Connection dropped without a response. */
    RESET,

    /** Never answered. */
    HANG,

    /** Body cut short of its Content-Length. */
    TRUNCATED,

    /** A {@code stream: true} request while streaming is broken: one malformed chunk, no {@code [DONE]}. */
    BROKEN_STREAM
}
