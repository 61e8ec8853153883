package dev.sluice.simulator.faults;

/**
 * The share of admitted requests that meet each {@link Fault}. Each rate is in [0, 1]; together they must
 * not exceed 1 ({@link #requireValid()}). Rate-limited requests never meet a fault.
 *
 * @param failure share answered with a 5xx ({@code SIMULATOR_FAILURE_RATE})
 * @param reset share whose connection is dropped without a response ({@code SIMULATOR_RESET_RATE})
 * @param hang share never answered ({@code SIMULATOR_HANG_RATE})
 * @param truncate share whose body is cut short ({@code SIMULATOR_TRUNCATE_RATE})
 */
public record FaultRates(double failure, double reset, double hang, double truncate) {

    /** No faults. */
    public static final FaultRates NONE = new FaultRates(0, 0, 0, 0);

    public FaultRates {
        check("failure", failure);
        check("reset", reset);
        check("hang", hang);
        check("truncate", truncate);
    }

    /** Only failures, at {@code rate}. */
    public static FaultRates failures(double rate) {
        return new FaultRates(rate, 0, 0, 0);
    }

    /** Copy with another failure rate. */
    public FaultRates withFailure(double rate) {
        return new FaultRates(rate, reset, hang, truncate);
    }

    /** Copy with another reset rate. */
    public FaultRates withReset(double rate) {
        return new FaultRates(failure, rate, hang, truncate);
    }

    /** Copy with another hang rate. */
    public FaultRates withHang(double rate) {
        return new FaultRates(failure, reset, rate, truncate);
    }

    /** Copy with another truncate rate. */
    public FaultRates withTruncate(double rate) {
        return new FaultRates(failure, reset, hang, rate);
    }

    /**
     * Checks the sum. Not done in the constructor, so a partial update may pass through an intermediate
     * sum above 1 on its way to a valid one.
     */
    public FaultRates requireValid() {
        double sum = failure + reset + hang + truncate;
        if (sum > 1.0 + 1e-9) {
            throw new IllegalArgumentException("fault rates must add up to at most 1, got " + sum);
        }
        return this;
    }

    /** The fault for a uniform {@code roll} in [0, 1): failure, reset, hang, truncate, in that order. */
    public Fault pick(double roll) {
        double edge = failure;
        if (roll < edge) {
            return Fault.SERVER_ERROR;
        }
        edge += reset;
        if (roll < edge) {
            return Fault.RESET;
        }
        edge += hang;
        if (roll < edge) {
            return Fault.HANG;
        }
        edge += truncate;
        return roll < edge ? Fault.TRUNCATE : Fault.NONE;
    }

    private static void check(String name, double rate) {
        if (!(rate >= 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException(name + " rate must be in [0, 1], got " + rate);
        }
    }
}
