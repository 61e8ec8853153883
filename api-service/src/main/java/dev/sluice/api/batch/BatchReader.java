package dev.sluice.api.batch;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.job.JobFields;
import dev.sluice.api.job.JobRequest;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonInput;
import dev.sluice.api.webhook.WebhookEventFilter;
import dev.sluice.common.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

/**
 * Reads and checks the body of {@code POST /v1/batches} in one streaming pass: OpenAI's
 * {@code {input_file_id, endpoint, completion_window, metadata}} or the inline
 * {@code {endpoint, requests: [{custom_id, method?, url?, body}], completion_window?, metadata?}}, both
 * with the extensions {@code webhook_url?, webhook_events?, priority?}. The first problem found is a 400 naming the
 * parameter, with 0-based indexes in {@code param} ({@code requests[3].body.model}) and the 1-based
 * line in the message (an input file's lines are checked the same way, {@link InputFileLines}), so a
 * batch is either wholly valid or not stored at all.
 */
final class BatchReader {

    private final ApiProperties.Input limits;
    private final BatchLines.RequestCheck checks;

    BatchReader(ApiProperties.Input limits, BatchLines.RequestCheck checks) {
        this.limits = limits;
        this.checks = checks;
    }

    /**
     * The checked batch; for one given by {@code input_file_id}, the file is checked with
     * {@code inputFiles} once the rest of the body has passed, and its lines are left to be read (and
     * checked) while the batch is stored ({@link InputFileLines#store}).
     */
    InlineBatch read(byte[] body, InputFiles inputFiles) {
        String endpoint = null;
        String completionWindow = null;
        JsonNode metadata = null;
        String webhookUrl = null;
        List<String> webhookEvents = null;
        int priority = 0;
        String inputFileId = null;
        List<JobRequest> requests = null;
        try (JsonInput json = JsonInput.objectOf(body)) {
            Set<String> seen = new HashSet<>();
            for (String field = json.nextField(seen, null); field != null; field = json.nextField(seen, null)) {
                switch (field) {
                    case "endpoint" -> endpoint = json.stringOrNull(field);
                    case "completion_window" -> completionWindow = json.stringOrNull(field);
                    case "metadata" -> metadata = json.tree();
                    case "webhook_url" -> webhookUrl = JobFields.webhookUrl(json, field);
                    case "priority" -> priority = JobFields.priority(json, field);
                    case WebhookEventFilter.PARAM -> webhookEvents = WebhookEventFilter.BATCH.read(json);
                    case "input_file_id" -> inputFileId = json.stringOrNull(field);
                    case "requests" -> requests = requests(json);
                    // OpenAI's output file expiry: accepted so that SDK calls work; result files are
                    // rendered from the jobs and live as long as the batch.
                    case "output_expires_after" -> json.skipValue();
                    default ->
                        throw ApiException.invalid(
                                field, "unknown_parameter", "Unrecognized parameter '" + field + "'.");
                }
            }
            json.end();
        }
        if (requests != null && inputFileId != null) {
            throw ApiException.invalid(
                    "input_file_id", "conflicting_input", "Give either input_file_id or requests, not both.");
        }
        if (requests == null && inputFileId == null) {
            throw ApiException.invalid(
                    "input_file_id",
                    "missing_input",
                    "Missing 'input_file_id': give the id of "
                            + "an uploaded batch input file, or the requests inline in 'requests'.");
        }
        WebhookEventFilter.checkHasUrl(webhookEvents, webhookUrl);
        Endpoint target = endpoint(endpoint);
        String window = completionWindow == null ? CompletionWindow.DEFAULT : completionWindow;
        Duration length = CompletionWindow.parse(window, limits.maxCompletionWindow());
        String metadataJson = Metadata.check(metadata, limits);
        if (requests == null) {
            // Only once everything else is known to be right is the file looked at.
            inputFiles.check(inputFileId);
        } else {
            if (requests.isEmpty()) {
                throw ApiException.invalid("requests", "empty_batch", "'requests' must hold at least one request.");
            }
            for (int i = 0; i < requests.size(); i++) {
                BatchLines.checkUrl(
                        requests.get(i), target, "requests[" + i + "]", " (line " + (i + 1) + " of the batch)");
            }
        }
        return new InlineBatch(
                target, window, length, metadataJson, webhookUrl, priority, inputFileId, requests, webhookEvents);
    }

    /** Where the requests of a batch given by {@code input_file_id} come from. */
    @FunctionalInterface
    interface InputFiles {

        /** Refuses an {@code input_file_id} that is not one of the tenant's batch input files. */
        void check(String fileId);
    }

    private List<JobRequest> requests(JsonInput json) {
        if (json.token() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (json.token() != JsonToken.START_ARRAY) {
            throw json.wrongType("requests", "an array of request objects");
        }
        BatchLines lines = new BatchLines(limits, checks, "requests");
        List<JobRequest> requests = new ArrayList<>();
        for (int i = 0; json.next() != JsonToken.END_ARRAY; i++) {
            requests.add(lines.add(json, "requests[" + i + "]", i + 1, " (line " + (i + 1) + " of the batch)"));
        }
        return requests;
    }

    private static Endpoint endpoint(String endpoint) {
        if (endpoint == null) {
            throw ApiException.invalid(
                    "endpoint", "missing_endpoint", "Missing 'endpoint': one of " + JobFields.ENDPOINTS + ".");
        }
        return Endpoint.fromPath(endpoint)
                .orElseThrow(() -> ApiException.invalid(
                        "endpoint",
                        "invalid_endpoint",
                        "'endpoint' must be one of " + JobFields.ENDPOINTS + "; got '" + endpoint + "'."));
    }
}
