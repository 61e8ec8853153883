package dev.sluice.common;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rate limit: at most {@code requests} in any window of length {@code window}. Written
 * {@code N/Ws} or {@code N/Wm} ({@code 15/60s}, {@code 500/1m}), as in {@code SLUICE_DEFAULT_LIMIT}.
 *
 * @param requests how many requests a window admits, at least 1
 * @param window   the window length, positive
 */
public record Limit(int requests, Duration window) {

    private static final Pattern TEXT = Pattern.compile("\\s*(\\d+)\\s*/\\s*(\\d+)\\s*(ms|s|m|h)\\s*");

    public Limit {
        Objects.requireNonNull(window, "window");
        if (requests < 1) {
            throw new IllegalArgumentException("a limit admits at least 1 request, got " + requests);
        }
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("a limit's window must be positive, got " + window);
        }
    }

    /** Parses {@code N/Ws}, {@code N/Wm}, {@code N/Wh} or {@code N/Wms}. */
    public static Limit parse(String text) {
        Matcher matcher = TEXT.matcher(text == null ? "" : text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("a limit is written N/Ws or N/Wm (e.g. 15/60s), got '" + text + "'");
        }
        int requests = Integer.parseInt(matcher.group(1));
        long amount = Long.parseLong(matcher.group(2));
        Duration window = switch (matcher.group(3)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        return new Limit(requests, window);
    }

    /** Whichever of the two admits fewer requests per unit of time; ties keep the longer window. */
    public Limit stricter(Limit other) {
        double mine = (double) requests / window.toMillis();
        double theirs = (double) other.requests / other.window.toMillis();
        if (mine != theirs) {
            return mine < theirs ? this : other;
        }
        return window.compareTo(other.window) >= 0 ? this : other;
    }

    @Override
    public String toString() {
        long millis = window.toMillis();
        return millis % 1000 == 0 ? requests + "/" + millis / 1000 + "s" : requests + "/" + millis + "ms";
    }
}
