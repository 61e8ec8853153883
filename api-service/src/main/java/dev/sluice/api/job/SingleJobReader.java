package dev.sluice.api.job;

import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonInput;
import dev.sluice.api.webhook.WebhookEventFilter;
import dev.sluice.common.Endpoint;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads and checks the body of {@code POST /v1/jobs}:
 * {@code {url, body, custom_id?, method?, webhook_url?, priority?}}.
 */
final class SingleJobReader {

    private SingleJobReader() {}

    /**
     * A single job as submitted.
     *
     * @param request    the request to the provider
     * @param endpoint   the endpoint its url names
     * @param webhookUrl where its terminal event goes, or null
     * @param webhookEvents the terminal event types its webhook wants, or null for all
     * @param priority   0-9
     */
    record SingleJob(
            JobRequest request, Endpoint endpoint, String webhookUrl, int priority, List<String> webhookEvents) {}

    static SingleJob read(byte[] body, int maxCustomIdLength) {
        JobFields fields = new JobFields(maxCustomIdLength, null, "");
        String webhookUrl = null;
        List<String> webhookEvents = null;
        int priority = 0;
        try (JsonInput json = JsonInput.objectOf(body)) {
            Set<String> seen = new HashSet<>();
            for (String field = json.nextField(seen, null); field != null; field = json.nextField(seen, null)) {
                switch (field) {
                    case "webhook_url" -> webhookUrl = JobFields.webhookUrl(json, field);
                    case "priority" -> priority = JobFields.priority(json, field);
                    case WebhookEventFilter.PARAM -> webhookEvents = WebhookEventFilter.JOB.read(json);
                    default -> {
                        if (!fields.read(field, json)) {
                            throw ApiException.invalid(
                                    field,
                                    "unknown_parameter",
                                    "Unrecognized parameter '" + field
                                            + "'. A job takes url, body, custom_id, webhook_url, webhook_events and priority.");
                        }
                    }
                }
            }
            json.end();
        }
        JobRequest request = fields.finish(false);
        if (request.url() == null) {
            throw ApiException.invalid(
                    "url", "missing_url", "Missing 'url': name the endpoint, e.g. /v1/chat/completions.");
        }
        Endpoint endpoint = Endpoint.fromPath(request.url())
                .orElseThrow(() -> ApiException.invalid(
                        "url",
                        "invalid_url",
                        "'url' must be one of " + JobFields.ENDPOINTS + "; got '" + request.url() + "'."));
        WebhookEventFilter.checkHasUrl(webhookEvents, webhookUrl);
        return new SingleJob(request, endpoint, webhookUrl, priority, webhookEvents);
    }
}
