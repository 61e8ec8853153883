package dev.sluice.simulator.stats;

/**
 * Failed admitted requests, by {@link ErrorKind}.
 *
 * @param total the sum of the others
 */
public record ErrorCounts(long total, long serverError, long reset, long hang, long truncated, long brokenStream) {

    /** All zero. */
    public static final ErrorCounts NONE = new ErrorCounts(0, 0, 0, 0, 0, 0);

    static ErrorCounts of(long[] byKind) {
        long total = 0;
        for (long n : byKind) {
            total += n;
        }
        return new ErrorCounts(
                total,
                byKind[ErrorKind.SERVER_ERROR.ordinal()],
                byKind[ErrorKind.RESET.ordinal()],
                byKind[ErrorKind.HANG.ordinal()],
                byKind[ErrorKind.TRUNCATED.ordinal()],
                byKind[ErrorKind.BROKEN_STREAM.ordinal()]);
    }
}
