package dev.sluice.simulator.limit;

import java.util.Locale;

/** How the provider counts requests against a {@link Limit}. */
public enum WindowKind {

    /** At most N accepted arrivals in any interval (t - W, t]; a slot frees W after it was taken. */
    SLIDING,

    /** At most N accepted arrivals per window [kW, (k+1)W) aligned to epoch multiples of W. */
    FIXED;

    /** Parses {@code sliding} or {@code fixed}, case-insensitively. */
    public static WindowKind parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "sliding" -> SLIDING;
            case "fixed" -> FIXED;
            default -> throw new IllegalArgumentException("expected sliding or fixed, got '" + text + "'");
        };
    }

    /** Lower-case name, as written in settings. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
