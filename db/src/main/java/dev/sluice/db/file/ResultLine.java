package dev.sluice.db.file;

import dev.sluice.db.job.JobRow;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Renders one finished job as a line of an OpenAI batch output or error file:
 * {@code {"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}}.
 * An HTTP answer (any status) keeps the provider's status and body with {@code error: null}; a
 * failure without an HTTP answer (cancelled, expired, timeout, unreachable) has
 * {@code response: null} and {@code error: {code, message}}.
 */
public final class ResultLine {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private ResultLine() {}

    /** The line for {@code job}, without the trailing newline. */
    public static String render(JobRow job) {
        ObjectNode line = JSON.createObjectNode();
        line.put("id", "batch_req_" + job.id().substring(job.id().indexOf('_') + 1));
        line.put("custom_id", job.customId());
        if (job.responseStatus() != null) {
            ObjectNode response = line.putObject("response");
            response.put("status_code", job.responseStatus());
            response.put("request_id", job.id());
            response.set("body", body(job.responseBody()));
            line.putNull("error");
        } else {
            line.putNull("response");
            ObjectNode error = line.putObject("error");
            error.put("code", job.errorCode());
            error.put("message", job.errorMessage());
        }
        return JSON.writeValueAsString(line);
    }

    /** The provider's body as JSON when it is JSON, otherwise as a string, so nothing is lost. */
    private static JsonNode body(String text) {
        if (text == null) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(text);
        } catch (RuntimeException notJson) {
            return JSON.getNodeFactory().textNode(text);
        }
    }
}
