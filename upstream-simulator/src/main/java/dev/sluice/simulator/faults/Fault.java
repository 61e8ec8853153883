package dev.sluice.simulator.faults;

/** What goes wrong with one admitted request, if anything. */
public enum Fault {

    /** Nothing: the normal answer. */
    NONE,

    /** A 500, 502 or 503 with an OpenAI-style error body. */
    SERVER_ERROR,

    /** The connection is dropped without any response. */
    RESET,

    /** No answer for a long time (the hang duration, or until the simulator is reset or closed). */
    HANG,

    /** Status 200 and the full body's Content-Length, but only part of the body, then the connection closes. */
    TRUNCATE
}
