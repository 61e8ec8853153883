package dev.sluice.simulator.limit;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request budget: at most {@code requests} per {@code window}, which the simulator enforces per API key
 * per model. {@link #unlimited()} (written {@code 0} or {@code none}) turns limiting off.
 *
 * @param requests how many requests fit in one window; 0 means unlimited
 * @param window the window length W; {@link Duration#ZERO} when unlimited
 */
public record Limit(int requests, Duration window) {

    private static final Pattern TEXT = Pattern.compile("(\\d+)\\s*/\\s*(\\d+\\s*(?:ms|s|m|h|d))");
    private static final Pattern LENGTH = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Limit UNLIMITED = new Limit(0, Duration.ZERO);

    public Limit {
        Objects.requireNonNull(window, "window");
        if (requests < 0) {
            throw new IllegalArgumentException("requests must be >= 0, got " + requests);
        }
        if (requests > 0 && !window.isPositive()) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        if (requests == 0) {
            window = Duration.ZERO;
        }
    }

    /** {@code requests} per {@code window}. */
    public static Limit of(int requests, Duration window) {
        return new Limit(requests, window);
    }

    /** No limit: every request is admitted. */
    public static Limit unlimited() {
        return UNLIMITED;
    }

    /**
     * Parses {@code N/Ws} (e.g. {@code 15/60s}), {@code N/Wm} (e.g. {@code 15/1m}), or {@code 0} /
     * {@code none} / {@code 0/...} for unlimited. {@code N/Wms}, {@code N/Wh} and {@code N/Wd} (days) are
     * accepted too.
     */
    public static Limit parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0") || t.equals("none") || t.equals("unlimited")) {
            return UNLIMITED;
        }
        Matcher m = TEXT.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected N/Ws or N/Wm (e.g. 15/60s), 0 or none, got '" + text + "'");
        }
        int requests = Integer.parseInt(m.group(1));
        Duration window = parseLength(m.group(2));
        if (requests > 0 && window.isZero()) {
            throw new IllegalArgumentException("window must be positive, got '" + text + "'");
        }
        return new Limit(requests, window);
    }

    /** A window length: {@code 60s}, {@code 1m}, {@code 500ms}, {@code 1h} or {@code 1d}; may be zero. */
    public static Duration parseLength(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher m = LENGTH.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "expected a length such as 60s, 1m, 500ms, 1h or 1d, got '" + text + "'");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    /** True when no limit applies. */
    public boolean isUnlimited() {
        return requests == 0;
    }

    /** The window as the provider writes it in its 429 text: whole seconds ({@code 60s}), else millis. */
    public String windowText() {
        return window.toMillis() % 1000 == 0 ? window.toSeconds() + "s" : window.toMillis() + "ms";
    }

    /** {@code 15/60s}, or {@code none}; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return isUnlimited() ? "none" : requests + "/" + windowText();
    }
}
