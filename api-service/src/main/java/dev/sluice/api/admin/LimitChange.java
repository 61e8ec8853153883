package dev.sluice.api.admin;

import dev.sluice.api.job.JobFields;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonInput;
import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code PUT /admin/limits}: {@code {model, limits: [{requests, per_seconds} | {tokens, per_seconds}],
 * max_concurrency?, default_max_tokens?}} ({@code limits} may also be written as {@code SLUICE_DEFAULT_LIMIT} is:
 * {@code "15/60s, 30000 tokens/1m"}), or the single-window form {@code {model, requests, per_seconds,
 * max_concurrency?}}. The request replaces the model's configured limits, concurrency cap and answer default as a
 * whole: an absent or null {@code max_concurrency} removes the cap, an absent or null {@code default_max_tokens}
 * returns to {@code SLUICE_DEFAULT_MAX_TOKENS}, and {@code limits} empty or null (or, in the single form,
 * {@code requests} and {@code per_seconds} both null) removes the configured limits so that the default applies
 * again. The limits must be named explicitly (a list, or both single fields), so that a forgotten field never clears
 * a limit by accident.
 *
 * @param model            the model id, checked like a batch line's model
 * @param limits           the limits to configure; empty to fall back to the default
 * @param maxConcurrency   the cap, or null for none
 * @param defaultMaxTokens tokens reserved for an answer whose request names no maximum, or null for the default
 */
record LimitChange(String model, List<Limit> limits, Integer maxConcurrency, Integer defaultMaxTokens) {

    /** The shortest window: the pacer works in milliseconds. */
    static final BigDecimal MIN_SECONDS = new BigDecimal("0.001");
    /** The longest window, 30 days: enough for per-day provider limits, and far from any overflow. */
    static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(Duration.ofDays(30).toSeconds());
    /** The most limits one model may have configured. */
    static final int MAX_LIMITS = 16;

    private static final String FIELDS =
            "'model', 'limits' (or 'requests' and 'per_seconds'), 'max_concurrency' and 'default_max_tokens'";

    /** Parses and checks the body; every refusal is a 400 naming the field. */
    static LimitChange read(byte[] body) {
        String model = null;
        Integer requests = null;
        BigDecimal perSeconds = null;
        Integer maxConcurrency = null;
        Integer defaultMaxTokens = null;
        JsonNode limits = null;
        Set<String> seen = new HashSet<>();
        try (JsonInput json = JsonInput.objectOf(body)) {
            for (String field = json.nextField(seen, null); field != null; field = json.nextField(seen, null)) {
                switch (field) {
                    case "model" -> model = json.stringOrNull(field);
                    case "requests" -> requests = json.integerOrNull(field);
                    case "per_seconds" -> perSeconds = json.decimalOrNull(field);
                    case "limits" -> limits = json.tree();
                    case "max_concurrency" -> maxConcurrency = json.integerOrNull(field);
                    case "default_max_tokens" -> defaultMaxTokens = json.integerOrNull(field);
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
        if (maxConcurrency != null && maxConcurrency < 1) {
            throw ApiException.invalid(
                    "max_concurrency",
                    "invalid_max_concurrency",
                    "'max_concurrency' must be an integer of at least 1, or null for no cap; got " + maxConcurrency
                            + ".");
        }
        if (defaultMaxTokens != null && defaultMaxTokens < 0) {
            throw ApiException.invalid(
                    "default_max_tokens",
                    "invalid_default_max_tokens",
                    "'default_max_tokens' must be an integer of at least 0, or null for SLUICE_DEFAULT_MAX_TOKENS; got "
                            + defaultMaxTokens + ".");
        }
        boolean single = seen.contains("requests") || seen.contains("per_seconds");
        if (seen.contains("limits") && single) {
            throw ApiException.invalid(
                    "limits", "conflicting_limits", "Give either 'limits' or 'requests' and 'per_seconds', not both.");
        }
        if (seen.contains("limits")) {
            return new LimitChange(model, list(limits), maxConcurrency, defaultMaxTokens);
        }
        for (String required : new String[] {"requests", "per_seconds"}) {
            if (!seen.contains(required)) {
                throw ApiException.invalid(
                        required,
                        "missing_" + required,
                        "Missing '" + required + "'. Give 'limits', or 'requests' and 'per_seconds' (both null to "
                                + "return to the default limit).");
            }
        }
        Limit limit = single(requests, perSeconds);
        return new LimitChange(model, limit == null ? List.of() : List.of(limit), maxConcurrency, defaultMaxTokens);
    }

    /** {@code limits}: null or an array of {@code {requests, per_seconds}} / {@code {tokens, per_seconds}}. */
    private static List<Limit> list(JsonNode limits) {
        if (limits == null || limits.isNull()) {
            return List.of();
        }
        if (limits.isArray() && limits.isEmpty()) {
            return List.of();
        }
        if (limits.isString()) {
            // The written form of SLUICE_DEFAULT_LIMIT: "15/60s, 1000/1d, 30000 tokens/1m".
            try {
                return Limit.parseList(limits.stringValue());
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("limits", "invalid_limits", "'limits': " + e.getMessage() + ".");
            }
        }
        if (!limits.isArray()) {
            throw ApiException.invalid(
                    "limits",
                    "invalid_limits",
                    "'limits' must be an array of {requests | tokens, per_seconds}, or text such as"
                            + " \"15/60s, 30000 tokens/1m\".");
        }
        if (limits.size() > MAX_LIMITS) {
            throw ApiException.invalid(
                    "limits",
                    "invalid_limits",
                    "'limits' holds at most " + MAX_LIMITS + " limits; got " + limits.size() + ".");
        }
        List<Limit> out = new ArrayList<>();
        for (int i = 0; i < limits.size(); i++) {
            out.add(entry(limits.get(i), "limits[" + i + "]"));
        }
        try {
            return LimitSet.distinct(out);
        } catch (IllegalArgumentException sameKind) {
            throw ApiException.invalid(
                    "limits",
                    "invalid_limits",
                    "Two limits of 'limits' count the same thing over the same window; give each window once.");
        }
    }

    private static Limit entry(JsonNode node, String param) {
        if (!node.isObject()) {
            throw ApiException.invalid(
                    param, "invalid_limits", "'" + param + "' must be an object {requests | tokens, per_seconds}.");
        }
        Set<String> fields = new HashSet<>(node.propertyNames());
        fields.removeAll(Set.of("requests", "tokens", "per_seconds"));
        if (!fields.isEmpty()) {
            String field = fields.iterator().next();
            throw ApiException.invalid(
                    param + "." + field,
                    "unknown_parameter",
                    "Unrecognized parameter '" + field + "'; a limit is {requests | tokens, per_seconds}.");
        }
        boolean requests = node.has("requests");
        if (requests == node.has("tokens")) {
            throw ApiException.invalid(
                    param, "invalid_limits", "'" + param + "' must give exactly one of 'requests' and 'tokens'.");
        }
        String unit = requests ? "requests" : "tokens";
        JsonNode amount = node.get(unit);
        long max = requests ? Integer.MAX_VALUE : 1_000_000_000_000L;
        if (!amount.isIntegralNumber()
                || !amount.canConvertToLong()
                || amount.longValue() < 1
                || amount.longValue() > max) {
            throw ApiException.invalid(
                    param + "." + unit,
                    "invalid_" + unit,
                    "'" + unit + "' must be an integer from 1 to " + max + "; got " + amount + ".");
        }
        JsonNode seconds = node.get("per_seconds");
        if (seconds == null || !seconds.isNumber()) {
            throw ApiException.invalid(
                    param + ".per_seconds", "invalid_per_seconds", "'per_seconds' must be a number of seconds.");
        }
        Duration window = window(seconds.decimalValue(), param + ".per_seconds");
        return new Limit(requests ? Limit.Unit.REQUESTS : Limit.Unit.TOKENS, amount.longValue(), window);
    }

    private static Limit single(Integer requests, BigDecimal perSeconds) {
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
        return new Limit(requests, window(perSeconds, "per_seconds"));
    }

    private static Duration window(BigDecimal perSeconds, String param) {
        if (perSeconds.compareTo(MIN_SECONDS) < 0 || perSeconds.compareTo(MAX_SECONDS) > 0) {
            throw ApiException.invalid(
                    param,
                    "invalid_per_seconds",
                    "'per_seconds' must be a number from " + MIN_SECONDS + " to " + MAX_SECONDS + " (30 days); got "
                            + perSeconds + ".");
        }
        BigDecimal millis = perSeconds.movePointRight(3);
        if (millis.stripTrailingZeros().scale() > 0) {
            throw ApiException.invalid(
                    param,
                    "invalid_per_seconds",
                    "'per_seconds' must be a whole number of milliseconds (at most 3 decimals); got "
                            + perSeconds.toPlainString() + ".");
        }
        return Duration.ofMillis(millis.longValueExact());
    }
}
