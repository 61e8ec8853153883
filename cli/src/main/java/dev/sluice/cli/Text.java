package dev.sluice.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import tools.jackson.databind.JsonNode;

/** How values read on a terminal: durations, times, ids in paths, absent values. */
final class Text {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Text() {}

    /** {@code 45s}, {@code 3m12s}, {@code 2h05m}, {@code 3d04h}: two units at most, as a person reads an ETA. */
    static String duration(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + pad(seconds % 60) + "s";
        }
        if (seconds < 86_400) {
            return seconds / 3600 + "h" + pad(seconds / 60 % 60) + "m";
        }
        return seconds / 86_400 + "d" + pad(seconds / 3600 % 24) + "h";
    }

    /** A JSON number of seconds as a duration, or {@code -} when null or absent. */
    static String seconds(JsonNode seconds) {
        return seconds.isNumber() ? duration(Duration.ofMillis(Math.round(seconds.asDouble() * 1000))) : "-";
    }

    /** A JSON unix time as {@code 2026-12-04 07:30:00Z}, or {@code -} when null or absent. */
    static String time(JsonNode unixSeconds) {
        return unixSeconds.isNumber() ? TIME.format(Instant.ofEpochSecond(unixSeconds.asLong())) : "-";
    }

    /** A JSON string, or {@code -} when null or absent. */
    static String string(JsonNode value) {
        return value.isString() ? value.asString() : value.isNumber() || value.isBoolean() ? value.toString() : "-";
    }

    /** A requests-per-window limit as {@code 15/60s}. */
    static String limit(JsonNode requests, JsonNode perSeconds) {
        return requests.isNumber() && perSeconds.isNumber()
                ? requests.asLong() + "/"
                        + perSeconds.decimalValue().stripTrailingZeros().toPlainString() + "s"
                : "-";
    }

    /** An id or model as one path segment, so that nothing in it can change the path. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String pad(long value) {
        return value < 10 ? "0" + value : Long.toString(value);
    }
}
