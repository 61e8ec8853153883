package dev.sluice.api.admin;

import dev.sluice.api.job.JobFields;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonInput;
import dev.sluice.common.Limit;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The body of {@code PUT /admin/limits}: {@code {model, requests, per_seconds, max_concurrency?}}.
 * The request replaces the model's configured limit and concurrency cap as a whole: an absent or
 * null {@code max_concurrency} removes the cap, and {@code requests} and {@code per_seconds} both
 * null remove the configured limit so that the default applies again. Both must be given (as
 * values or as nulls), so that a forgotten field never clears a limit by accident.
 *
 * @param model          the model id, checked like a batch line's model
 * @param limit          the limit to configure, or null to fall back to the default
 * @param maxConcurrency the cap, or null for none
 */
record LimitChange(String model, Limit limit, Integer maxConcurrency) {

    /** The shortest window: the pacer works in milliseconds. */
    static final BigDecimal MIN_SECONDS = new BigDecimal("0.001");
    /** The longest window, 30 days: enough for per-day provider limits, and far from any overflow. */
    static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(Duration.ofDays(30).toSeconds());

    private static final String FIELDS = "'model', 'requests', 'per_seconds' and 'max_concurrency'";

    /** Parses and checks the body; every refusal is a 400 naming the field. */
    static LimitChange read(byte[] body) {
        String model = null;
        Integer requests = null;
        BigDecimal perSeconds = null;
        Integer maxConcurrency = null;
        Set<String> seen = new HashSet<>();
        try (JsonInput json = JsonInput.objectOf(body)) {
            for (String field = json.nextField(seen, null); field != null; field = json.nextField(seen, null)) {
                switch (field) {
                    case "model" -> model = json.stringOrNull(field);
                    case "requests" -> requests = json.integerOrNull(field);
                    case "per_seconds" -> perSeconds = json.decimalOrNull(field);
                    case "max_concurrency" -> maxConcurrency = json.integerOrNull(field);
                    default ->
                        throw ApiException.invalid(
                                field,
                                "unknown_parameter",
                                "Unrecognized parameter '" + field + "'; a limit takes only " + FIELDS + ".");
                }
            }
            json.end();
        }
        if (!seen.contains("model")) {
            throw ApiException.invalid("model", "missing_model", "Missing 'model': name the model to limit.");
        }
        JobFields.checkModel(model, "model", "");
        for (String required : new String[] {"requests", "per_seconds"}) {
            if (!seen.contains(required)) {
                throw ApiException.invalid(
                        required,
                        "missing_" + required,
                        "Missing '" + required
                                + "'. Give 'requests' and 'per_seconds', or both as null to return to the default limit.");
            }
        }
        if (maxConcurrency != null && maxConcurrency < 1) {
            throw ApiException.invalid(
                    "max_concurrency",
                    "invalid_max_concurrency",
                    "'max_concurrency' must be an integer of at least 1, or null for no cap; got " + maxConcurrency
                            + ".");
        }
        return new LimitChange(model, limit(requests, perSeconds), maxConcurrency);
    }

    private static Limit limit(Integer requests, BigDecimal perSeconds) {
        if (requests == null && perSeconds == null) {
            return null;
        }
        if (requests == null || perSeconds == null) {
            String missing = requests == null ? "requests" : "per_seconds";
            throw ApiException.invalid(
                    missing,
                    "invalid_" + missing,
                    "'" + missing + "' is null but '"
                            + (requests == null ? "per_seconds" : "requests") + "' is not: give both, or both as null "
                            + "to return to the default limit.");
        }
        if (requests < 1) {
            throw ApiException.invalid(
                    "requests",
                    "invalid_requests",
                    "'requests' must be an integer of at least 1; got " + requests + ".");
        }
        return new Limit(requests, window(perSeconds));
    }

    private static Duration window(BigDecimal perSeconds) {
        if (perSeconds.compareTo(MIN_SECONDS) < 0 || perSeconds.compareTo(MAX_SECONDS) > 0) {
            throw ApiException.invalid(
                    "per_seconds",
                    "invalid_per_seconds",
                    "'per_seconds' must be a number from " + MIN_SECONDS + " to " + MAX_SECONDS + " (30 days); got "
                            + perSeconds + ".");
        }
        BigDecimal millis = perSeconds.movePointRight(3);
        if (millis.stripTrailingZeros().scale() > 0) {
            throw ApiException.invalid(
                    "per_seconds",
                    "invalid_per_seconds",
                    "'per_seconds' must be a whole number of milliseconds (at most 3 decimals); got "
                            + perSeconds.toPlainString() + ".");
        }
        return Duration.ofMillis(millis.longValueExact());
    }
}
