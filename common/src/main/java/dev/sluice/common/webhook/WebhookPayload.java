package dev.sluice.common.webhook;

import java.util.regex.Pattern;

/**
 * The body of a webhook, as OpenAI sends it:
 * {@code {"id":"evt_...","object":"event","type":"batch.completed","created_at":<unix>,"data":{"id":"batch_..."}}}.
 */
public final class WebhookPayload {

    /** Ids and event types need no JSON escaping; anything else is refused rather than escaped wrongly. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_.\\-]+");

    private WebhookPayload() {}

    /** The JSON body of event {@code eventId} of {@code type} about the batch or job {@code subjectId}. */
    public static String of(String eventId, String type, long createdAt, String subjectId) {
        for (String value : new String[] {eventId, type, subjectId}) {
            if (!PLAIN.matcher(value).matches()) {
                throw new IllegalArgumentException("not an id or event type: " + value);
            }
        }
        return "{\"id\":\"" + eventId + "\",\"object\":\"event\",\"type\":\"" + type + "\",\"created_at\":" + createdAt
                + ",\"data\":{\"id\":\"" + subjectId + "\"}}";
    }
}
