package dev.sluice.common;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One rate limit of a provider: at most {@code amount} requests, or {@code amount} tokens, in any window of length
 * {@code window}. Providers state several at once (requests per minute, per day, tokens per minute); a model's
 * {@link LimitSet} holds them all. Written {@code N/W} for requests and {@code N tokens/W} for tokens, the window
 * a number and one of {@code ms s m h d}: {@code 15/60s}, {@code 1000/1d}, {@code 30000 tokens/1m}.
 *
 * @param unit   what is counted
 * @param amount how many a window admits, at least 1
 * @param window the window length, positive
 */
public record Limit(Unit unit, long amount, Duration window) {

    /** What a limit counts. */
    public enum Unit {
        /** Requests sent. */
        REQUESTS,
        /** Tokens as the provider counts them: the prompt plus the most the answer may use. */
        TOKENS;

        /** The name used in the API and the database. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The unit a wire name names. */
        public static Unit fromWire(String name) {
            for (Unit unit : values()) {
                if (unit.wireName().equals(name)) {
                    return unit;
                }
            }
            throw new IllegalArgumentException("a limit counts requests or tokens, got '" + name + "'");
        }
    }

    private static final Pattern TEXT = Pattern.compile(
            "\\s*(\\d{1,15})\\s*(requests?|tokens?)?\\s*/\\s*(\\d{1,9})\\s*(ms|s|m|h|d)\\s*", Pattern.CASE_INSENSITIVE);

    public Limit {
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(window, "window");
        if (amount < 1) {
            throw new IllegalArgumentException("a limit admits at least 1, got " + amount);
        }
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("a limit's window must be positive, got " + window);
        }
    }

    /** A request limit: at most {@code requests} in any window of length {@code window}. */
    public Limit(int requests, Duration window) {
        this(Unit.REQUESTS, requests, window);
    }

    /** At most {@code tokens} tokens in any window of length {@code window}. */
    public static Limit tokens(long tokens, Duration window) {
        return new Limit(Unit.TOKENS, tokens, window);
    }

    /** Whether this limit counts requests. */
    public boolean countsRequests() {
        return unit == Unit.REQUESTS;
    }

    /** Whether {@code other} counts the same thing over a window of the same length (it then replaces this one when learned). */
    public boolean sameKind(Limit other) {
        return unit == other.unit && window.equals(other.window);
    }

    /** Parses {@code N/W} or {@code N tokens/W}, the window in {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}. */
    public static Limit parse(String text) {
        Matcher matcher = TEXT.matcher(text == null ? "" : text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    "a limit is written N/W or N tokens/W, W in ms, s, m, h or d (e.g. 15/60s, 30000 tokens/1m), got '"
                            + text + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        Unit unit = matcher.group(2) != null
                        && matcher.group(2).toLowerCase(java.util.Locale.ROOT).startsWith("token")
                ? Unit.TOKENS
                : Unit.REQUESTS;
        long length = Long.parseLong(matcher.group(3));
        Duration window = switch (matcher.group(4).toLowerCase(java.util.Locale.ROOT)) {
            case "ms" -> Duration.ofMillis(length);
            case "s" -> Duration.ofSeconds(length);
            case "m" -> Duration.ofMinutes(length);
            case "h" -> Duration.ofHours(length);
            default -> Duration.ofDays(length);
        };
        return new Limit(unit, amount, window);
    }

    /**
     * Parses a list of limits separated by commas, as in {@code SLUICE_DEFAULT_LIMIT=15/60s, 1000/1d, 30000 tokens/1m};
     * at least one, and no two of the same unit and window.
     */
    public static List<Limit> parseList(String text) {
        List<Limit> limits = new ArrayList<>();
        for (String part : (text == null ? "" : text).split(",", -1)) {
            limits.add(parse(part));
        }
        LimitSet.checkDistinct(limits);
        return List.copyOf(limits);
    }

    @Override
    public String toString() {
        long millis = window.toMillis();
        String written = millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
        return unit == Unit.TOKENS ? amount + " tokens/" + written : amount + "/" + written;
    }
}
