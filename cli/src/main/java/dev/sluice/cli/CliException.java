package dev.sluice.cli;

/**
 * A failure the user can act on: its message is the one line {@code sluice} prints (after
 * {@code "sluice: "}), saying what went wrong and what to do, and {@link #exitCode()} is the
 * process's exit status. Never printed with a stack trace.
 */
final class CliException extends RuntimeException {

    private final ExitCode exitCode;

    CliException(ExitCode exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    ExitCode exitCode() {
        return exitCode;
    }
}
