package dev.sluice.db.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The response cache's key for a request, computed the same way by the api (facade calls) and the workers
 * (batch jobs): SHA-256 of the endpoint path, a newline, and the body as canonical JSON (object keys sorted,
 * no whitespace, numbers without trailing zeros so that {@code 0} and {@code 0.0} agree, {@code stream} and
 * {@code stream_options} left out). Only deterministic requests have a
 * key: embeddings, and chat or completions with {@code temperature} 0 or a {@code seed}.
 */
public final class CacheKey {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private CacheKey() {}

    /** The key of a request to {@code path} with {@code body}; empty when its answer may differ each time. */
    public static Optional<byte[]> of(String path, String body) {
        if (!mayBeDeterministic(path, body)) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            return Optional.empty();
        }
        if (root == null || !root.isObject() || !deterministic(path, root)) {
            return Optional.empty();
        }
        ObjectNode request = ((ObjectNode) root).deepCopy();
        request.remove("stream");
        request.remove("stream_options");
        try {
            return Optional.of(sha256(path + "\n" + JSON.writeValueAsString(canonical(request))));
        } catch (JacksonException e) {
            // A number that overflows a double (1e400) has no exact decimal form: such a request is not cached,
            // and the provider judges it.
            return Optional.empty();
        }
    }

    /**
     * False when the text alone shows the request is not deterministic: not an embedding, and no
     * {@code "temperature"} or {@code "seed"} key, nor any backslash-u escape that could spell one. Most requests
     * are such, and every job is looked up, so they skip the parse.
     */
    private static boolean mayBeDeterministic(String path, String body) {
        return path.equals("/v1/embeddings")
                || body.contains("\"temperature\"")
                || body.contains("\"seed\"")
                || body.contains("\\u");
    }

    private static boolean deterministic(String path, JsonNode body) {
        if (path.equals("/v1/embeddings")) {
            return true;
        }
        JsonNode temperature = body.get("temperature");
        JsonNode seed = body.get("seed");
        return (temperature != null && temperature.isNumber() && temperature.asDouble() == 0.0)
                || (seed != null && seed.isIntegralNumber());
    }

    private static Object canonical(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Map<String, Object> sorted = new TreeMap<>();
            object.properties().forEach(field -> sorted.put(field.getKey(), canonical(field.getValue())));
            return sorted;
        }
        if (node instanceof ArrayNode array) {
            return array.valueStream().map(CacheKey::canonical).toList();
        }
        if (node.isNumber()) {
            return JsonNodeFactory.instance.numberNode(node.decimalValue().stripTrailingZeros());
        }
        return node;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
