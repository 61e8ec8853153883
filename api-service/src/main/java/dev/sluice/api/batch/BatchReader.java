package dev.sluice.api.batch;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.job.JobFields;
import dev.sluice.api.job.JobRequest;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonInput;
import dev.sluice.common.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

/**
 * Reads and checks the body of {@code POST /v1/batches} in one streaming pass:
 * {@code {endpoint, requests: [{custom_id, method?, url?, body}], completion_window?, metadata?,
 * webhook_url?, priority?}}. The first problem found is a 400 naming the parameter, with 0-based
 * indexes in {@code param} ({@code requests[3].body.model}) and the 1-based line in the message, so
 * a batch is either wholly valid or not stored at all.
 */
final class BatchReader {

    private final ApiProperties.Input limits;

    BatchReader(ApiProperties.Input limits) {
        this.limits = limits;
    }

    InlineBatch read(byte[] body) {
        String endpoint = null;
        String completionWindow = null;
        JsonNode metadata = null;
        String webhookUrl = null;
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
                    case "input_file_id" -> inputFileId = json.stringOrNull(field);
                    case "requests" -> requests = requests(json);
                    // OpenAI's output file expiry: accepted so that SDK calls work; result files are
                    // rendered from the jobs and live as long as the batch.
                    case "output_expires_after" -> json.skipValue();
                    default -> throw ApiException.invalid(field, "unknown_parameter",
                            "Unrecognized parameter '" + field + "'.");
                }
            }
            json.end();
        }
        if (requests == null) {
            if (inputFileId != null) {
                throw ApiException.invalid("input_file_id", "unsupported_input_file",
                        "input_file_id is not supported yet: give the requests inline in 'requests'.");
            }
            throw ApiException.invalid("requests", "missing_requests",
                    "Missing 'requests': give the batch's requests as an array of {custom_id, body} objects.");
        }
        if (inputFileId != null) {
            throw ApiException.invalid("input_file_id", "conflicting_input",
                    "Give either input_file_id or requests, not both.");
        }
        Endpoint target = endpoint(endpoint);
        if (requests.isEmpty()) {
            throw ApiException.invalid("requests", "empty_batch", "'requests' must hold at least one request.");
        }
        for (int i = 0; i < requests.size(); i++) {
            String url = requests.get(i).url();
            if (url != null && !url.equals(target.path())) {
                throw ApiException.invalid("requests[" + i + "].url", "url_mismatch", "'requests[" + i + "].url' is '"
                        + url + "' but the batch's endpoint is '" + target.path() + "' (line " + (i + 1) + ").");
            }
        }
        String window = completionWindow == null ? CompletionWindow.DEFAULT : completionWindow;
        return new InlineBatch(target, window, CompletionWindow.parse(window, limits.maxCompletionWindow()),
                Metadata.check(metadata, limits), webhookUrl, priority, requests);
    }

    private List<JobRequest> requests(JsonInput json) {
        if (json.token() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (json.token() != JsonToken.START_ARRAY) {
            throw json.wrongType("requests", "an array of request objects");
        }
        List<JobRequest> requests = new ArrayList<>();
        Map<String, Integer> lineOfCustomId = new HashMap<>();
        for (int i = 0; json.next() != JsonToken.END_ARRAY; i++) {
            String param = "requests[" + i + "]";
            String where = " (line " + (i + 1) + " of the batch)";
            if (i >= limits.maxRequestsPerBatch()) {
                throw ApiException.invalid("requests", "batch_too_large", "A batch holds at most "
                        + limits.maxRequestsPerBatch() + " requests; split it into several batches.");
            }
            if (json.token() != JsonToken.START_OBJECT) {
                throw json.wrongType(param, "an object {custom_id, method, url, body}" + where);
            }
            JobFields fields = new JobFields(limits.maxCustomIdLength(), param, where);
            Set<String> seen = new HashSet<>();
            for (String field = json.nextField(seen, param); field != null; field = json.nextField(seen, param)) {
                if (!fields.read(field, json)) {
                    throw ApiException.invalid(param + "." + field, "unknown_parameter", "Unrecognized parameter '"
                            + param + "." + field + "'" + where + "; a request has custom_id, method, url and body.");
                }
            }
            JobRequest request = fields.finish(true);
            Integer first = lineOfCustomId.putIfAbsent(request.customId(), i);
            if (first != null) {
                throw ApiException.invalid(param + ".custom_id", "duplicate_custom_id", "custom_id '"
                        + request.customId() + "'" + where + " was already used by line " + (first + 1)
                        + "; custom_id must be unique within a batch.");
            }
            requests.add(request);
        }
        return requests;
    }

    private static Endpoint endpoint(String endpoint) {
        if (endpoint == null) {
            throw ApiException.invalid("endpoint", "missing_endpoint",
                    "Missing 'endpoint': one of " + JobFields.ENDPOINTS + ".");
        }
        return Endpoint.fromPath(endpoint).orElseThrow(() -> ApiException.invalid("endpoint", "invalid_endpoint",
                "'endpoint' must be one of " + JobFields.ENDPOINTS + "; got '" + endpoint + "'."));
    }
}
