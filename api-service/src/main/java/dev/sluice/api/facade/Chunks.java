package dev.sluice.api.facade;

import dev.sluice.common.Endpoint;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A complete answer turned into the Server-Sent Events OpenAI streams: {@code chat.completion.chunk}
 * objects (a role chunk, the content in pieces, a chunk with the {@code finish_reason}) for chat, and
 * {@code text_completion} pieces for completions, then a usage chunk when asked, then {@code data: [DONE]}.
 * Concatenating the pieces gives the answer exactly.
 */
final class Chunks {

    /** Characters per content piece, cut at a space when one is near, so that clients see several chunks. */
    private static final int PIECE = 24;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Chunks() {}

    /** The event stream for {@code answer}, a successful chat or completions body. */
    static String of(Endpoint endpoint, JsonNode answer, boolean includeUsage) {
        List<ObjectNode> events = endpoint == Endpoint.CHAT_COMPLETIONS ? chat(answer) : text(answer);
        StringBuilder out = new StringBuilder();
        for (ObjectNode event : events) {
            if (includeUsage) {
                event.putNull("usage");
            }
            out.append("data: ").append(JSON.writeValueAsString(event)).append("\n\n");
        }
        if (includeUsage && answer.has("usage")) {
            ObjectNode usage =
                    head(answer, endpoint == Endpoint.CHAT_COMPLETIONS ? "chat.completion.chunk" : "text_completion");
            usage.putArray("choices");
            usage.set("usage", answer.get("usage"));
            out.append("data: ").append(JSON.writeValueAsString(usage)).append("\n\n");
        }
        return out.append("data: [DONE]\n\n").toString();
    }

    private static List<ObjectNode> chat(JsonNode answer) {
        List<ObjectNode> events = new ArrayList<>();
        for (JsonNode choice : answer.path("choices")) {
            int index = choice.path("index").asInt(0);
            JsonNode message = choice.path("message");
            ObjectNode role = chatChunk(answer, index);
            ((ObjectNode) role.get("choices").get(0).get("delta"))
                    .put("role", message.path("role").asString("assistant"))
                    .put("content", "");
            events.add(role);
            for (String piece : pieces(message.path("content").asString(""))) {
                ObjectNode chunk = chatChunk(answer, index);
                ((ObjectNode) chunk.get("choices").get(0).get("delta")).put("content", piece);
                events.add(chunk);
            }
            ObjectNode end = chatChunk(answer, index);
            ((ObjectNode) end.get("choices").get(0)).set("finish_reason", choice.get("finish_reason"));
            events.add(end);
        }
        return events;
    }

    private static ObjectNode chatChunk(JsonNode answer, int index) {
        ObjectNode chunk = head(answer, "chat.completion.chunk");
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", index);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return chunk;
    }

    private static List<ObjectNode> text(JsonNode answer) {
        List<ObjectNode> events = new ArrayList<>();
        for (JsonNode choice : answer.path("choices")) {
            List<String> pieces = pieces(choice.path("text").asString(""));
            for (int i = 0; i < pieces.size(); i++) {
                ObjectNode chunk = head(answer, "text_completion");
                ArrayNode choices = chunk.putArray("choices");
                ObjectNode one = choices.addObject();
                one.put("index", choice.path("index").asInt(0));
                one.put("text", pieces.get(i));
                one.putNull("logprobs");
                if (i == pieces.size() - 1) {
                    one.set("finish_reason", choice.get("finish_reason"));
                } else {
                    one.putNull("finish_reason");
                }
                events.add(chunk);
            }
        }
        return events;
    }

    private static ObjectNode head(JsonNode answer, String object) {
        ObjectNode chunk = JSON.createObjectNode();
        chunk.set("id", answer.get("id"));
        chunk.put("object", object);
        chunk.set("created", answer.get("created"));
        chunk.set("model", answer.get("model"));
        if (answer.has("system_fingerprint")) {
            chunk.set("system_fingerprint", answer.get("system_fingerprint"));
        }
        return chunk;
    }

    /** The text in pieces of about {@link #PIECE} characters; one empty piece for an empty text. */
    static List<String> pieces(String text) {
        List<String> pieces = new ArrayList<>();
        int from = 0;
        while (from < text.length()) {
            int to = Math.min(text.length(), from + PIECE);
            int space = text.lastIndexOf(' ', to);
            if (to < text.length() && space > from) {
                to = space + 1;
            }
            if (to < text.length() && Character.isHighSurrogate(text.charAt(to - 1))) {
                to++;
            }
            pieces.add(text.substring(from, to));
            from = to;
        }
        if (pieces.isEmpty()) {
            pieces.add("");
        }
        return pieces;
    }
}
