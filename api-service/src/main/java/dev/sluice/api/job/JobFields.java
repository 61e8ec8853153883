package dev.sluice.api.job;

import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonInput;
import dev.sluice.common.Endpoint;
import dev.sluice.common.Queues;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;
import tools.jackson.core.JsonToken;

/**
 * Reads the fields that describe one job ({@code custom_id}, {@code method}, {@code url},
 * {@code body}) out of a batch line or a single-job request, and the two extension fields both
 * kinds of submission share ({@code priority}, {@code webhook_url}). Every refusal names the exact
 * parameter, such as {@code requests[3].body.model}.
 */
public final class JobFields {

    /** A queue name is at most 255 bytes, and a lane's queue name is a prefix, the tenant and the model. */
    static final int MAX_MODEL_BYTES = Queues.MAX_MODEL_BYTES;

    /** The endpoint paths Sluice runs, for messages. */
    public static final String ENDPOINTS =
            Arrays.stream(Endpoint.values()).map(Endpoint::path).collect(Collectors.joining(", "));

    private static final int MAX_WEBHOOK_URL_LENGTH = 2048;

    private final int maxCustomIdLength;
    private final String objectParam;
    private final String where;
    private String customId;
    private String url;
    private String model;
    private boolean modelPresent;
    private String body;

    /**
     * @param maxCustomIdLength the longest accepted {@code custom_id}
     * @param objectParam       the parameter path of the object being read ({@code requests[3]}), or null at top level
     * @param where             appended to messages to point at the line, e.g. {@code " (line 4)"}, or empty
     */
    public JobFields(int maxCustomIdLength, String objectParam, String where) {
        this.maxCustomIdLength = maxCustomIdLength;
        this.objectParam = objectParam;
        this.where = where;
    }

    /** Reads the current field's value if it is one of a job's fields; false leaves it to the caller. */
    public boolean read(String field, JsonInput json) {
        String param = JsonInput.join(objectParam, field);
        switch (field) {
            case "custom_id" -> customId = customId(json, param);
            case "method" -> {
                String method = json.stringOrNull(param);
                if (method != null && !method.equals("POST")) {
                    throw ApiException.invalid(
                            param,
                            "invalid_method",
                            "'" + param + "' must be POST, got '" + method + "'" + where + ".");
                }
            }
            case "url" -> url = json.stringOrNull(param);
            case "body" -> body = body(json, param);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The job the fields describe; refuses a missing body or model, and a missing {@code custom_id} when required. */
    public JobRequest finish(boolean customIdRequired) {
        if (customIdRequired && customId == null) {
            String param = JsonInput.join(objectParam, "custom_id");
            throw ApiException.invalid(
                    param,
                    "missing_custom_id",
                    "Missing '" + param + "'" + where + ": every request of a batch needs a unique custom_id.");
        }
        String bodyParam = JsonInput.join(objectParam, "body");
        if (body == null) {
            throw ApiException.invalid(
                    bodyParam,
                    "missing_body",
                    "Missing '" + bodyParam + "'" + where + ": give the request body as a JSON object.");
        }
        String modelParam = bodyParam + ".model";
        if (!modelPresent) {
            throw ApiException.invalid(
                    modelParam,
                    "missing_model",
                    "Missing '" + modelParam + "'" + where + ": the body must name a model.");
        }
        checkModel(model, modelParam, where);
        return new JobRequest(customId, url, model, body);
    }

    /**
     * Refuses a model id that is null, blank, has control characters, or is too long for its queue
     * name (at most 243 UTF-8 bytes); the admin API checks models with the same rule.
     *
     * @param where appended to the message to point at the line, e.g. {@code " (line 4)"}, or empty
     */
    public static void checkModel(String model, String param, String where) {
        if (model == null || model.isBlank()) {
            throw ApiException.invalid(
                    param, "invalid_model", "'" + param + "' must be a non-empty string" + where + ".");
        }
        if (model.getBytes(StandardCharsets.UTF_8).length > MAX_MODEL_BYTES
                || model.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.invalid(
                    param,
                    "invalid_model",
                    "'" + param + "' must be at most " + MAX_MODEL_BYTES + " bytes without control characters" + where
                            + ".");
        }
    }

    /** {@code priority}: an integer 0-9, default 0. */
    public static int priority(JsonInput json, String param) {
        Integer priority = json.integerOrNull(param);
        if (priority == null) {
            return 0;
        }
        if (priority < 0 || priority > 9) {
            throw ApiException.invalid(
                    param,
                    "invalid_priority",
                    "'" + param + "' must be an integer from 0 (default) to 9 (most urgent), got " + priority + ".");
        }
        return priority;
    }

    /** {@code webhook_url}: an absolute http(s) URL, or null. */
    public static String webhookUrl(JsonInput json, String param) {
        String value = json.stringOrNull(param);
        if (value == null) {
            return null;
        }
        ApiException invalid = ApiException.invalid(
                param,
                "invalid_webhook_url",
                "'" + param + "' must be an absolute http or https URL of at most " + MAX_WEBHOOK_URL_LENGTH
                        + " characters.");
        if (value.length() > MAX_WEBHOOK_URL_LENGTH) {
            throw invalid;
        }
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme();
            if (scheme == null
                    || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                throw invalid;
            }
        } catch (URISyntaxException e) {
            throw invalid;
        }
        return value;
    }

    private String customId(JsonInput json, String param) {
        String value = json.stringOrNull(param);
        if (value == null) {
            return null;
        }
        if (value.isEmpty() || value.length() > maxCustomIdLength) {
            throw ApiException.invalid(
                    param,
                    "invalid_custom_id",
                    "'" + param + "' must be 1 to " + maxCustomIdLength + " characters" + where + ".");
        }
        return value;
    }

    /** Walks the body's top level for {@code model} and keeps the body's exact text. */
    private String body(JsonInput json, String param) {
        if (json.token() != JsonToken.START_OBJECT) {
            throw ApiException.invalid(param, "invalid_body", "'" + param + "' must be a JSON object" + where + ".");
        }
        long start = json.tokenStart();
        while (json.next() != JsonToken.END_OBJECT) {
            String field = json.name();
            JsonToken value = json.next();
            if (field.equals("model")) {
                modelPresent = true;
                model = value == JsonToken.VALUE_STRING ? json.stringOrNull(param + ".model") : null;
                if (value != JsonToken.VALUE_STRING) {
                    json.skipValue();
                }
            } else {
                json.skipValue();
            }
        }
        return json.textFrom(start);
    }
}
