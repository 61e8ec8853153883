package dev.sluice.worker.stream;

import dev.sluice.worker.upstream.Attempt;
import dev.sluice.worker.upstream.TokenUsage;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The answer a provider's stream adds up to, built chunk by chunk: a {@code chat.completion} from
 * {@code chat.completion.chunk}s (role, content and finish reason per choice), or a {@code text_completion}
 * from its pieces, with the usage of a usage chunk. Stored as the job's result, so that
 * {@code GET /v1/jobs/{id}} and the response cache see the same object a non-streaming call returns.
 */
final class Answer {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One choice so far. */
    private static final class Choice {
        private String role = "assistant";
        private final StringBuilder text = new StringBuilder();
        private JsonNode finishReason;
    }

    private final Map<Integer, Choice> choices = new TreeMap<>();
    private JsonNode first;
    private JsonNode usage;
    private int chunks;

    /** Adds a chunk; false when it is not a well-formed chunk object, which breaks the stream. */
    boolean add(JsonNode chunk) {
        String object = chunk.path("object").asString("");
        boolean chat = object.equals("chat.completion.chunk");
        if (!chunk.isObject()
                || !(chat || object.equals("text_completion"))
                || !chunk.path("choices").isArray()
                || (first != null && !object.equals(first.path("object").asString()))) {
            return false;
        }
        if (first == null) {
            first = chunk;
        }
        for (JsonNode choice : chunk.get("choices")) {
            Choice sum = choices.computeIfAbsent(choice.path("index").asInt(0), i -> new Choice());
            JsonNode delta = chat ? choice.path("delta") : choice;
            if (chat && delta.path("role").isString()) {
                sum.role = delta.get("role").asString();
            }
            JsonNode piece = delta.path(chat ? "content" : "text");
            if (piece.isString()) {
                sum.text.append(piece.asString());
            }
            if (choice.hasNonNull("finish_reason")) {
                sum.finishReason = choice.get("finish_reason");
            }
        }
        if (chunk.hasNonNull("usage")) {
            usage = chunk.get("usage");
        }
        chunks++;
        return true;
    }

    int chunks() {
        return chunks;
    }

    /** The whole answer as a successful attempt. */
    Attempt toAttempt(Duration latency) {
        if (first == null) {
            return new Attempt.Transient(
                    null,
                    null,
                    Attempt.Transient.UPSTREAM_UNREACHABLE,
                    "the provider's stream ended without a chunk",
                    latency,
                    java.util.Optional.empty());
        }
        boolean chat = first.path("object").asString().equals("chat.completion.chunk");
        ObjectNode answer = JSON.createObjectNode();
        answer.set("id", first.get("id"));
        answer.put("object", chat ? "chat.completion" : "text_completion");
        answer.set("created", first.get("created"));
        answer.set("model", first.get("model"));
        ArrayNode list = answer.putArray("choices");
        choices.forEach((index, sum) -> {
            ObjectNode choice = list.addObject();
            choice.put("index", index);
            if (chat) {
                choice.putObject("message").put("role", sum.role).put("content", sum.text.toString());
            } else {
                choice.put("text", sum.text.toString());
            }
            choice.set("finish_reason", sum.finishReason);
        });
        TokenUsage tokens = TokenUsage.NONE;
        if (usage != null) {
            answer.set("usage", usage);
            tokens = new TokenUsage(count("prompt_tokens"), count("completion_tokens"), count("total_tokens"));
        }
        return new Attempt.Success(200, JSON.writeValueAsString(answer), tokens, latency);
    }

    private Integer count(String field) {
        JsonNode value = usage.get(field);
        return value != null && value.isIntegralNumber() ? value.asInt() : null;
    }
}
