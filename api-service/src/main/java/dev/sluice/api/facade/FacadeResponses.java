package dev.sluice.api.facade;

import dev.sluice.api.web.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the caller of the facade gets for its finished job: the provider's status and body as they came
 * (a 4xx from the provider reaches the caller unchanged; 429s never do, the workers re-queue them), or,
 * when the provider never answered, Sluice's own error in OpenAI form naming the job.
 */
final class FacadeResponses {

    /** Names the job behind every facade answer, so that it can be looked up at {@code GET /v1/jobs/{id}}. */
    static final String JOB_HEADER = "x-sluice-job-id";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final MediaType EVENT_STREAM = MediaType.parseMediaType("text/event-stream;charset=UTF-8");

    private FacadeResponses() {}

    static ResponseEntity<String> of(FinishedCall job, FacadeCall call) {
        if (job.responseStatus() == null) {
            throw withoutAnswer(job);
        }
        return render(
                job.responseStatus(),
                job.responseBody(),
                call,
                ResponseEntity.status(job.responseStatus()).header(JOB_HEADER, job.id()));
    }

    /** The provider's answer {@code status} and {@code body} for {@code call}, as JSON or as chunks. */
    static ResponseEntity<String> render(
            int statusCode, String responseBody, FacadeCall call, ResponseEntity.BodyBuilder builder) {
        String body = responseBody == null ? "" : responseBody;
        HttpStatus status = HttpStatus.resolve(statusCode);
        if (call.stream() && status != null && status.is2xxSuccessful()) {
            JsonNode answer = parse(body);
            if (answer != null && answer.isObject()) {
                return builder.contentType(EVENT_STREAM)
                        .header("Cache-Control", "no-cache")
                        .body(Chunks.of(call.endpoint(), answer, call.includeUsage()));
            }
        }
        boolean json = parse(body) != null;
        return builder.contentType(json ? MediaType.APPLICATION_JSON : MediaType.TEXT_PLAIN)
                .body(body);
    }

    /** A finished job the provider never answered: cancelled, expired, or failed without a response. */
    private static ApiException withoutAnswer(FinishedCall job) {
        String why = job.errorMessage() == null ? "" : ": " + job.errorMessage();
        return switch (job.status()) {
            case CANCELLED ->
                new ApiException(
                        HttpStatus.CONFLICT,
                        "invalid_request_error",
                        null,
                        "job_cancelled",
                        "job " + job.id() + " was cancelled before it ran" + why);
            case EXPIRED ->
                new ApiException(
                        HttpStatus.GATEWAY_TIMEOUT,
                        "server_error",
                        null,
                        "job_expired",
                        "job " + job.id() + " expired before it ran" + why);
            default ->
                new ApiException(
                        HttpStatus.BAD_GATEWAY,
                        "server_error",
                        null,
                        job.errorCode() == null ? "upstream_error" : job.errorCode(),
                        "job " + job.id() + " got no answer from the provider" + why);
        };
    }

    private static JsonNode parse(String body) {
        try {
            return body.isEmpty() ? null : JSON.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }
}
