package dev.sluice.cli;

/**
 * A failure the user can act on: its message is the one line {@code sluice} prints (after
 * {@code "sluice: "}), saying what went wrong and what to do, and {@link #exitCode()} is the
 * process's exit status. Never printed with a stack trace.
 */
final class CliException extends RuntimeException {

    private final ExitCode exitCode;
    private final boolean passing;

    CliException(ExitCode exitCode, String message) {
        this(exitCode, message, false);
    }

    /** @param passing whether the same call may well succeed a moment later (unreachable, 5xx, 429) */
    CliException(ExitCode exitCode, String message, boolean passing) {
        super(message, null, false, false);
        this.exitCode = exitCode;
        this.passing = passing;
    }

    ExitCode exitCode() {
        return exitCode;
    }

    /** Whether the same call may well succeed a moment later: the server unreachable, a 5xx, a 429. */
    boolean passing() {
        return passing;
    }
}
