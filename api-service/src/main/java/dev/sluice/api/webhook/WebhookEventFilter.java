package dev.sluice.api.webhook;

import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonInput;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JsonToken;

/**
 * The optional {@code webhook_events} filter of a batch or single job: which of its subject kind's terminal
 * event types its {@code webhook_url} wants. Absent or null means all of them; otherwise a non-empty array of
 * known types of that kind (duplicates are dropped), and only alongside a {@code webhook_url}. Every refusal is
 * a 400 naming {@code webhook_events}.
 */
public enum WebhookEventFilter {

    /** A batch's events. */
    BATCH("batch", List.of("batch.completed", "batch.failed", "batch.expired", "batch.cancelled")),

    /** A single job's events. */
    JOB("job", List.of("job.succeeded", "job.failed", "job.cancelled", "job.expired"));

    /** The body parameter. */
    public static final String PARAM = "webhook_events";

    private final String subject;
    private final List<String> types;

    WebhookEventFilter(String subject, List<String> types) {
        this.subject = subject;
        this.types = types;
    }

    /** Reads the value the parser is on: the chosen types in the order given, or null for JSON null. */
    public List<String> read(JsonInput json) {
        if (json.token() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (json.token() != JsonToken.START_ARRAY) {
            throw json.wrongType(PARAM, "an array of event types, some of " + types);
        }
        Set<String> chosen = new LinkedHashSet<>();
        for (int i = 0; json.next() != JsonToken.END_ARRAY; i++) {
            if (json.token() != JsonToken.VALUE_STRING) {
                json.skipValue();
                throw invalid("'" + PARAM + "[" + i + "]' must be a string, one of " + types + ".");
            }
            String type = json.stringOrNull(PARAM);
            if (!types.contains(type)) {
                String shown = type.length() > 100 ? type.substring(0, 100) + "..." : type;
                throw invalid("'" + PARAM + "[" + i + "]' is '" + shown + "', which is not an event of a " + subject
                        + "; a " + subject + " has " + types + ".");
            }
            chosen.add(type);
        }
        if (chosen.isEmpty()) {
            throw invalid("'" + PARAM + "' must name at least one of " + types + "; leave it out to get every event.");
        }
        return new ArrayList<>(chosen);
    }

    /** Refuses a filter given without a {@code webhook_url}: there would be nothing to filter. */
    public static void checkHasUrl(List<String> events, String webhookUrl) {
        if (events != null && webhookUrl == null) {
            throw ApiException.invalid(
                    PARAM,
                    "webhook_events_without_url",
                    "'" + PARAM + "' filters the events sent to 'webhook_url'; give a webhook_url too, or leave "
                            + PARAM + " out.");
        }
    }

    private static ApiException invalid(String message) {
        return ApiException.invalid(PARAM, "invalid_webhook_events", message);
    }
}
