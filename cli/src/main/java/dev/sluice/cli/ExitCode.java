package dev.sluice.cli;

/**
 * The exit codes of {@code sluice}, as docs/cli.md lists them. Scripts branch on these, so a
 * constant's number never changes.
 */
enum ExitCode {

    /** Done; for a batch, every line succeeded. */
    OK(0),
    /** The batch ended with failed lines, or as {@code failed}, {@code expired} or {@code cancelled}. */
    NOT_ALL_SUCCEEDED(1),
    /** The command line is wrong: an unknown command or option, a bad value, a key not configured. */
    USAGE(2),
    /** The server refused the key (HTTP 401 or 403). */
    KEY_REFUSED(3),
    /** The server could not be reached, or did not answer in time. */
    UNREACHABLE(4),
    /** What the command names does not exist: a local file, or a batch, file, key or model on the server (404). */
    NOT_FOUND(5),
    /** The server refused the request as asked (another 4xx), or the input file is not a batch input file. */
    REJECTED(6),
    /** The server failed (5xx) or answered with something that is not its API's. */
    SERVER_ERROR(7);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** The process exit status. */
    int code() {
        return code;
    }
}
