package dev.sluice.api.batch;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.job.JobFields;
import dev.sluice.api.job.JobRequest;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonInput;
import dev.sluice.common.Endpoint;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JsonToken;

/**
 * The lines of one batch as they are read, from an inline {@code requests} array or from an input
 * file: each is checked with the same rules ({@code {custom_id, method, url, body}}, a model jobs may name
 * (400 {@code model_not_found} otherwise), a unique
 * {@code custom_id}, at most {@code max-requests-per-batch} lines), and the first problem is a 400
 * whose {@code param} names the line ({@code requests[3].custom_id}, {@code line[4].custom_id}). Only the
 * custom_ids seen so far are kept, so that an input file's lines can be stored as they are read.
 */
final class BatchLines {

    /** Refuses a request that may not be stored: its model unknown, or too large for any window ({@link RequestChecks}). */
    @FunctionalInterface
    interface RequestCheck {

        /** Throws the 4xx for {@code request}, whose body is {@code bodyParam}, or returns when it may be stored. */
        void check(JobRequest request, String bodyParam, String where);
    }

    private final ApiProperties.Input limits;
    private final RequestCheck checks;
    private final String batchParam;
    private final Map<String, Integer> lineOfCustomId = new HashMap<>();
    private int count;

    /** @param batchParam the parameter a batch with too many lines is refused for: {@code requests} or {@code input_file_id} */
    BatchLines(ApiProperties.Input limits, RequestCheck checks, String batchParam) {
        this.limits = limits;
        this.checks = checks;
        this.batchParam = batchParam;
    }

    /**
     * Reads the request object the parser is on, checks it and returns it.
     *
     * @param param the line as a parameter, e.g. {@code requests[3]}
     * @param line  its 1-based line number, for messages
     * @param where appended to messages to point at the line, e.g. {@code " (line 4 of the batch)"}
     */
    JobRequest add(JsonInput json, String param, int line, String where) {
        if (count >= limits.maxRequestsPerBatch()) {
            throw ApiException.invalid(
                    batchParam,
                    "batch_too_large",
                    "A batch holds at most " + limits.maxRequestsPerBatch()
                            + " requests; split it into several batches.");
        }
        if (json.token() != JsonToken.START_OBJECT) {
            throw json.wrongType(param, "an object {custom_id, method, url, body}" + where);
        }
        JobFields fields = new JobFields(limits.maxCustomIdLength(), param, where);
        Set<String> seen = new HashSet<>();
        for (String field = json.nextField(seen, param); field != null; field = json.nextField(seen, param)) {
            if (!fields.read(field, json)) {
                throw ApiException.invalid(
                        param + "." + field,
                        "unknown_parameter",
                        "Unrecognized parameter '" + param + "." + field + "'" + where
                                + "; a request has custom_id, method, url and body.");
            }
        }
        JobRequest request = fields.finish(true);
        checks.check(request, param + ".body", where);
        Integer first = lineOfCustomId.putIfAbsent(request.customId(), line);
        if (first != null) {
            throw ApiException.invalid(
                    param + ".custom_id",
                    "duplicate_custom_id",
                    "custom_id '"
                            + request.customId() + "'" + where + " was already used by line " + first
                            + "; custom_id must be unique within a batch.");
        }
        count++;
        return request;
    }

    /** Refuses a line whose {@code url} is not the batch's endpoint; a line without one takes the batch's. */
    static void checkUrl(JobRequest request, Endpoint target, String param, String where) {
        String url = request.url();
        if (url != null && !url.equals(target.path())) {
            throw ApiException.invalid(
                    param + ".url",
                    "url_mismatch",
                    "'" + param + ".url' is '" + url + "' but the batch's endpoint is '" + target.path() + "'" + where
                            + ".");
        }
    }

    /** How many lines were read so far. */
    int count() {
        return count;
    }
}
