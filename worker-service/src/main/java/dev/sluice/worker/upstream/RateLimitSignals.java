package dev.sluice.worker.upstream;

import dev.sluice.common.Limit;
import java.math.BigDecimal;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a 429 tells about the provider's limit: how long to wait ({@code Retry-After}, else OpenAI's
 * {@code x-ratelimit-reset-requests}) and, from the seed provider's text {@code Rate limit of 15 per 60s
 * exceeded for UserByModelByMinute}, the limit itself.
 */
final class RateLimitSignals {

    private static final Pattern LIMIT_TEXT =
            Pattern.compile("Rate limit of (\\d+) per (\\d+)\\s*(ms|s|m|h)\\b", Pattern.CASE_INSENSITIVE);

    /** One part of a Go-style duration, {@code 1m30s} or {@code 850ms}. */
    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|h|m|s)");

    private RateLimitSignals() {}

    /** N from OpenAI's {@code x-ratelimit-limit-requests} header, if present and a whole number. */
    static OptionalInt statedRequests(HttpHeaders headers) {
        return headers.firstValue("x-ratelimit-limit-requests")
                .map(String::strip)
                .filter(v -> v.matches("\\d{1,9}"))
                .map(v -> OptionalInt.of(Integer.parseInt(v)))
                .orElse(OptionalInt.empty());
    }

    /** The limit a 429 body states, if it states one. */
    static Optional<Limit> learnedLimit(String body) {
        if (body == null) {
            return Optional.empty();
        }
        Matcher matcher = LIMIT_TEXT.matcher(body);
        if (!matcher.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Limit.parse(
                    matcher.group(1) + "/" + matcher.group(2) + matcher.group(3).toLowerCase()));
        } catch (IllegalArgumentException zeroOrOverflow) {
            return Optional.empty();
        }
    }

    /** How long the provider asked to wait, if its headers say. */
    static Optional<Duration> retryAfter(HttpHeaders headers) {
        Optional<Duration> retryAfter = headers.firstValue("retry-after").flatMap(RateLimitSignals::seconds);
        return retryAfter.isPresent()
                ? retryAfter
                : headers.firstValue("x-ratelimit-reset-requests").flatMap(RateLimitSignals::goDuration);
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
