package dev.sluice.simulator.openai;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** The {@code prompt} / {@code input} parameter: a string or a non-empty array of strings. */
final class Inputs {

    private Inputs() {}

    static List<String> strings(JsonNode body, String param) {
        JsonNode value = body.get(param);
        if (value == null || value.isNull()) {
            throw InvalidRequest.missing(param);
        }
        if (value.isString()) {
            return List.of(value.stringValue());
        }
        if (!value.isArray() || value.isEmpty()) {
            throw InvalidRequest.invalid(param, "expected a string or a non-empty array of strings.");
        }
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isString()) {
                throw InvalidRequest.invalid(param + "[" + i + "]", "expected a string.");
            }
            strings.add(value.get(i).stringValue());
        }
        return strings;
    }
}
