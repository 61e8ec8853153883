package dev.sluice.api.batch;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonInput;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code metadata}: OpenAI's "set of 16 key-value pairs", keys up to 64 characters and string
 * values up to 512 (all configurable), stored as given.
 */
final class Metadata {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The key a retried batch's metadata names its original with. */
    static final String RETRY_OF = "retry_of";

    private Metadata() {}

    /** The metadata as compact JSON, or null when absent; a 400 naming the offending key otherwise. */
    static String check(JsonNode metadata, ApiProperties.Input limits) {
        if (metadata == null || metadata.isNull()) {
            return null;
        }
        if (!metadata.isObject()) {
            throw ApiException.invalid("metadata", "invalid_metadata", "metadata must be an object of string values.");
        }
        if (metadata.size() > limits.maxMetadataPairs()) {
            throw ApiException.invalid(
                    "metadata",
                    "invalid_metadata",
                    "metadata holds at most " + limits.maxMetadataPairs() + " keys, got " + metadata.size() + ".");
        }
        for (Map.Entry<String, JsonNode> entry : metadata.properties()) {
            String param = "metadata." + entry.getKey();
            String key = JsonInput.text(param, entry.getKey());
            if (key.isEmpty() || key.length() > limits.maxMetadataKeyLength()) {
                throw ApiException.invalid(
                        param,
                        "invalid_metadata",
                        "metadata keys must be 1 to " + limits.maxMetadataKeyLength() + " characters.");
            }
            JsonNode value = entry.getValue();
            if (!value.isString()) {
                throw ApiException.invalid(param, "invalid_metadata", "metadata values must be strings.");
            }
            if (JsonInput.text(param, value.asString()).length() > limits.maxMetadataValueLength()) {
                throw ApiException.invalid(
                        param,
                        "invalid_metadata",
                        "metadata values must be at most " + limits.maxMetadataValueLength() + " characters.");
            }
        }
        return JSON.writeValueAsString(metadata);
    }

    /**
     * A retry's metadata: the old batch's plus {@code "retry_of": "<old id>"} (replacing an earlier
     * {@code retry_of}), or the old one unchanged when it already holds the most keys allowed.
     */
    static String withRetryOf(String metadataJson, String oldBatchId, ApiProperties.Input limits) {
        ObjectNode metadata = metadataJson == null ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(metadataJson);
        if (!metadata.has(RETRY_OF) && metadata.size() >= limits.maxMetadataPairs()) {
            return metadataJson;
        }
        metadata.put(RETRY_OF, oldBatchId);
        return JSON.writeValueAsString(metadata);
    }
}
