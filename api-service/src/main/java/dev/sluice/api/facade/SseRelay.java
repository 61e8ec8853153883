package dev.sluice.api.facade;

import dev.sluice.api.web.ApiException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A streaming caller's response while it waits: the first relayed chunk (or the first keep-alive comment, after
 * {@code sluice.facade.keep-alive} of silence) commits a 200 {@code text/event-stream}, each chunk is written as
 * it comes, and the job's end closes the stream; when no chunk was relayed, the whole answer follows as chunks.
 * When the provider's stream broke and the job was answered by a non-streaming retry, the rest of that answer
 * (after the text already sent) follows as one chunk; if the retry's answer does not continue the text sent,
 * or the job ended without an answer, the stream ends with an OpenAI error event instead of {@code [DONE]}.
 * A caller that went away is noticed at the next write; its job still finishes.
 */
final class SseRelay {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServletResponse response;
    private final FacadeCall call;
    private final StringBuilder sent = new StringBuilder();
    private JsonNode last;
    private boolean started;
    private boolean ended;
    private boolean gone;

    SseRelay(HttpServletResponse response, FacadeCall call) {
        this.response = response;
        this.call = call;
    }

    /** Whether the event stream is committed (a chunk or a keep-alive went out), so the caller gets nothing else. */
    boolean started() {
        return started;
    }

    /** Whether a write found the caller gone. */
    boolean gone() {
        return gone;
    }

    /** An SSE comment, which clients ignore, committing the stream first; a closed connection shows here. */
    void keepAlive(String jobId) {
        start(jobId);
        write(": waiting for " + jobId + "\n\n");
    }

    private void start(String jobId) {
        if (!started) {
            started = true;
            response.setStatus(200);
            response.setContentType("text/event-stream;charset=UTF-8");
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader(FacadeResponses.JOB_HEADER, jobId);
        }
    }

    /** Writes one relayed chunk, committing the response first. */
    void chunk(String jobId, String chunkJson) {
        JsonNode chunk;
        try {
            chunk = JSON.readTree(chunkJson);
        } catch (JacksonException e) {
            return;
        }
        start(jobId);
        JsonNode first = chunk.path("choices").path(0);
        if (first.path("index").asInt(0) == 0) {
            JsonNode piece = first.has("delta") ? first.path("delta").path("content") : first.path("text");
            if (piece.isString()) {
                sent.append(piece.asString());
            }
        }
        last = chunk;
        write("data: " + chunkJson + "\n\n");
    }

    /** Ends the stream for the finished {@code job}: {@code [DONE]}, after the rest of a retried answer if any. */
    void finish(FinishedCall job) {
        if (job.responseStatus() == null || job.responseStatus() / 100 != 2) {
            error(
                    "upstream_error",
                    "job " + job.id() + " ended without an answer to finish the stream"
                            + (job.errorMessage() == null ? "" : ": " + job.errorMessage()));
            return;
        }
        if (last == null) {
            // Only keep-alives went out: the whole answer follows as chunks, as it would have without them.
            JsonNode answer = parse(job.responseBody());
            if (answer != null && answer.isObject()) {
                String events = Chunks.of(call.endpoint(), answer, call.includeUsage());
                ended = true;
                write(events);
                return;
            }
        }
        String whole = wholeText(job.responseBody());
        if (whole == null || !whole.startsWith(sent.toString())) {
            error(
                    "stream_broken",
                    "the provider's stream broke and job " + job.id()
                            + "'s retry answered differently; read the whole answer at GET /v1/jobs/" + job.id());
            return;
        }
        String rest = whole.substring(sent.length());
        if (!rest.isEmpty() && last != null) {
            ObjectNode chunk = ((ObjectNode) last).deepCopy();
            ObjectNode choice = chunk.putArray("choices").addObject();
            choice.put("index", 0);
            if (chunk.path("object").asString().equals("chat.completion.chunk")) {
                choice.putObject("delta").put("content", rest);
            } else {
                choice.put("text", rest);
            }
            choice.put("finish_reason", "stop");
            chunk.remove("usage");
            write("data: " + JSON.writeValueAsString(chunk) + "\n\n");
        }
        end("data: [DONE]\n\n");
    }

    /** Ends the stream with {@code e} as an OpenAI error event. */
    void error(ApiException e) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", e.getMessage())
                .put("type", e.type())
                .put("param", e.param())
                .put("code", e.code());
        end("data: " + JSON.writeValueAsString(body) + "\n\n");
    }

    private void error(String code, String message) {
        error(new ApiException(org.springframework.http.HttpStatus.BAD_GATEWAY, "server_error", null, code, message));
    }

    private static String wholeText(String body) {
        JsonNode answer = parse(body);
        JsonNode choice = answer == null ? null : answer.path("choices").path(0);
        if (choice == null) {
            return null;
        }
        JsonNode text = choice.has("message") ? choice.path("message").path("content") : choice.path("text");
        return text.isString() ? text.asString() : null;
    }

    private static JsonNode parse(String body) {
        try {
            return body == null ? null : JSON.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }

    private void end(String event) {
        if (!ended) {
            ended = true;
            write(event);
        }
    }

    private void write(String event) {
        if (gone) {
            return;
        }
        try {
            OutputStream out = response.getOutputStream();
            out.write(event.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // The caller went away; the job finishes regardless and stays readable.
            gone = true;
        }
    }
}
