package dev.sluice.api;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Builds inline batch bodies: {@code aBatch("/v1/embeddings").request("a", "m").json()}. */
public final class BatchJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ObjectNode root = JSON.createObjectNode();
    private final ArrayNode requests = root.putArray("requests");

    private BatchJson(String endpoint) {
        root.put("endpoint", endpoint);
    }

    public static BatchJson aBatch(String endpoint) {
        return new BatchJson(endpoint);
    }

    public static BatchJson aChatBatch() {
        return new BatchJson("/v1/chat/completions");
    }

    /** Adds a line whose body fits the batch's endpoint. */
    public BatchJson request(String customId, String model) {
        ObjectNode line = requests.addObject();
        line.put("custom_id", customId);
        line.put("method", "POST");
        line.put("url", root.get("endpoint").asString());
        ObjectNode body = line.putObject("body");
        body.put("model", model);
        if (root.get("endpoint").asString().equals("/v1/chat/completions")) {
            body.putArray("messages").addObject().put("role", "user").put("content", "Say hi to " + customId);
        } else if (root.get("endpoint").asString().equals("/v1/embeddings")) {
            body.put("input", "text of " + customId);
        } else {
            body.put("prompt", "Complete " + customId);
        }
        return this;
    }

    /** Adds {@code count} lines named {@code c0, c1, ...}. */
    public BatchJson requests(int count, String model) {
        for (int i = 0; i < count; i++) {
            request("c" + i, model);
        }
        return this;
    }

    /** Adds a raw line. */
    public BatchJson line(JsonNode line) {
        requests.add(line);
        return this;
    }

    /** Edits the last line. */
    public ObjectNode lastLine() {
        return (ObjectNode) requests.get(requests.size() - 1);
    }

    /** Sets a top-level field. */
    public BatchJson with(String field, Object value) {
        root.set(field, JSON.valueToTree(value));
        return this;
    }

    /** Removes a top-level field. */
    public BatchJson without(String field) {
        root.remove(field);
        return this;
    }

    public String json() {
        return JSON.writeValueAsString(root);
    }
}
