package dev.sluice.api.web;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/** Stored text shown inside a JSON answer: as JSON when it is JSON, otherwise as a string. */
public final class JsonText {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private JsonText() {}

    /** The text as a JSON value, a JSON string when it does not parse, or null for null. */
    public static JsonNode of(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (RuntimeException notJson) {
            return JsonNodeFactory.instance.stringNode(text);
        }
    }
}
