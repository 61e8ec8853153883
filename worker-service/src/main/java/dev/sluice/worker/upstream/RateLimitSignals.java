package dev.sluice.worker.upstream;

import dev.sluice.common.Limit;
import java.math.BigDecimal;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a 429 tells about the provider's limits:
 *
 * <ul>
 *   <li>which kind of limit it names: tokens or requests, from OpenAI's error {@code type} ({@code "tokens"},
 *       {@code "requests"}) or its text ({@code on tokens per min (TPM)}); the seed provider's text names requests;
 *   <li>the limit its text states: the seed provider's {@code Rate limit of 15 per 60s exceeded for
 *       UserByModelByMinute}, or OpenAI's {@code Rate limit reached for M ... on tokens per min (TPM): Limit 30000,
 *       Used 29500, Requested 900}, read as 30000 tokens per 60 s;
 *   <li>the limits its headers state ({@code x-ratelimit-limit-requests}, {@code x-ratelimit-limit-tokens}), which
 *       give an amount but no window;
 *   <li>how long to wait: {@code Retry-After}, else the reset header of the kind named
 *       ({@code x-ratelimit-reset-tokens} for tokens, else {@code -requests}), else the text's {@code Please try
 *       again in 1.2s}.
 * </ul>
 *
 * A 429 for a request larger than a whole token window ({@code Request too large for M ...}) is no rate limit at
 * all: no wait helps, and it is told apart by {@link #tooLarge}.
 */
final class RateLimitSignals {

    private static final Pattern LIMIT_TEXT =
            Pattern.compile("Rate limit of (\\d+) per (\\d+)\\s*(ms|s|m|h|d)\\b", Pattern.CASE_INSENSITIVE);

    /**
     * OpenAI's text: {@code on tokens per min (TPM): Limit 30000}; a window other than a minute, day, hour or second
     * may be written as a length ({@code on tokens per 6s (TPM)}, as the simulator writes a shortened window).
     */
    private static final Pattern OPENAI_TEXT = Pattern.compile(
            "on (tokens|requests) per (sec|second|min|minute|hour|day|\\d{1,9}(?:ms|s|m|h|d))\\b[^:]*:\\s*Limit"
                    + " (\\d{1,15})",
            Pattern.CASE_INSENSITIVE);

    private static final Pattern TRY_AGAIN =
            Pattern.compile("try again in ((?:\\d+(?:\\.\\d+)?(?:ms|h|m|s))+)", Pattern.CASE_INSENSITIVE);

    private static final Pattern ERROR_TYPE =
            Pattern.compile("\"type\"\\s*:\\s*\"(tokens|requests)\"", Pattern.CASE_INSENSITIVE);

    /** One part of a Go-style duration, {@code 1m30s} or {@code 850ms}. */
    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|h|m|s)");

    private RateLimitSignals() {}

    /** The amount a {@code x-ratelimit-limit-requests} or {@code -tokens} header states, if present and whole. */
    static OptionalLong stated(HttpHeaders headers, Limit.Unit unit) {
        return headers.firstValue("x-ratelimit-limit-" + unit.wireName())
                .map(String::strip)
                .filter(v -> v.matches("\\d{1,15}"))
                .map(v -> OptionalLong.of(Long.parseLong(v)))
                .orElse(OptionalLong.empty());
    }

    /** Which kind of limit a 429 names, if it says. */
    static Optional<Limit.Unit> names(String body) {
        if (body == null) {
            return Optional.empty();
        }
        Matcher type = ERROR_TYPE.matcher(body);
        if (type.find()) {
            return Optional.of(Limit.Unit.fromWire(type.group(1).toLowerCase(Locale.ROOT)));
        }
        Matcher openAi = OPENAI_TEXT.matcher(body);
        if (openAi.find()) {
            return Optional.of(Limit.Unit.fromWire(openAi.group(1).toLowerCase(Locale.ROOT)));
        }
        return LIMIT_TEXT.matcher(body).find() ? Optional.of(Limit.Unit.REQUESTS) : Optional.empty();
    }

    /** The limit a 429 body states, if it states one. */
    static Optional<Limit> learnedLimit(String body) {
        if (body == null) {
            return Optional.empty();
        }
        try {
            Matcher seed = LIMIT_TEXT.matcher(body);
            if (seed.find()) {
                return Optional.of(Limit.parse(
                        seed.group(1) + "/" + seed.group(2) + seed.group(3).toLowerCase(Locale.ROOT)));
            }
            Matcher openAi = OPENAI_TEXT.matcher(body);
            if (openAi.find()) {
                Duration window = switch (openAi.group(2).toLowerCase(Locale.ROOT)) {
                    case "sec", "second" -> Duration.ofSeconds(1);
                    case "min", "minute" -> Duration.ofMinutes(1);
                    case "hour" -> Duration.ofHours(1);
                    case "day" -> Duration.ofDays(1);
                    default -> Limit.parse("1/" + openAi.group(2)).window();
                };
                return Optional.of(new Limit(
                        Limit.Unit.fromWire(openAi.group(1).toLowerCase(Locale.ROOT)),
                        Long.parseLong(openAi.group(3)),
                        window));
            }
        } catch (IllegalArgumentException zeroOrOverflow) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Whether a 429 says the request is larger than a whole window: waiting will never let it through. */
    static boolean tooLarge(String body) {
        return body != null && body.contains("Request too large");
    }

    /** How long the provider asked to wait, if its headers say (for a 429, see the other overload). */
    static Optional<Duration> retryAfter(HttpHeaders headers) {
        return retryAfter(headers, null, Optional.empty());
    }

    /** How long a 429 naming {@code names} asks to wait, from its headers or its text. */
    static Optional<Duration> retryAfter(HttpHeaders headers, String body, Optional<Limit.Unit> names) {
        Optional<Duration> retryAfter = headers.firstValue("retry-after").flatMap(RateLimitSignals::seconds);
        if (retryAfter.isPresent()) {
            return retryAfter;
        }
        String kind = names.map(Limit.Unit::wireName).orElse("requests");
        Optional<Duration> reset =
                headers.firstValue("x-ratelimit-reset-" + kind).flatMap(RateLimitSignals::goDuration);
        if (reset.isPresent() || body == null) {
            return reset;
        }
        Matcher text = TRY_AGAIN.matcher(body);
        return text.find() ? goDuration(text.group(1)) : Optional.empty();
    }

    /** {@code Retry-After} in (possibly fractional) seconds; the HTTP-date form is ignored. */
    private static Optional<Duration> seconds(String value) {
        try {
            BigDecimal seconds = new BigDecimal(value.strip());
            return seconds.signum() < 0
                    ? Optional.empty()
                    : Optional.of(Duration.ofMillis(seconds.movePointRight(3).longValue()));
        } catch (NumberFormatException | ArithmeticException notSeconds) {
            return Optional.empty();
        }
    }

    /** {@code 850ms}, {@code 6.5s}, {@code 1m0s}, {@code 1h2m3s}. */
    static Optional<Duration> goDuration(String value) {
        String text = value.strip();
        Matcher part = GO_DURATION_PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (part.find() && part.start() == end) {
            BigDecimal amount = new BigDecimal(part.group(1));
            long millisPerUnit = switch (part.group(2)) {
                case "h" -> 3_600_000L;
                case "m" -> 60_000L;
                case "s" -> 1_000L;
                default -> 1L;
            };
            total = total.plusMillis(
                    amount.multiply(BigDecimal.valueOf(millisPerUnit)).longValue());
            end = part.end();
        }
        return end > 0 && end == text.length() ? Optional.of(total) : Optional.empty();
    }
}
