package dev.sluice.simulator.openai;

import java.util.Locale;

/** How the provider answers {@code "stream": true}. */
public enum StreamingMode {

    /**
     * As the seed provider: 200 {@code text/event-stream}, one malformed chunk, then the connection is cut;
     * never {@code data: [DONE]}.
     */
    BROKEN,

    /** Proper OpenAI server-sent events ({@code chat.completion.chunk} ...) ending in {@code data: [DONE]}. */
    WORKING;

    /** Parses {@code broken} or {@code working}, case-insensitively. */
    public static StreamingMode parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "broken" -> BROKEN;
            case "working" -> WORKING;
            default -> throw new IllegalArgumentException("expected broken or working, got '" + text + "'");
        };
    }

    /** Lower-case name, as written in settings. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
