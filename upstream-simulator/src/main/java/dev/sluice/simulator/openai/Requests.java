package dev.sluice.simulator.openai;

import dev.sluice.simulator.http.Json;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** Validation shared by the completion endpoints, and response ids. */
final class Requests {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private Requests() {}

    /** The body as a JSON object, or 400. */
    static JsonNode parse(byte[] body) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw InvalidRequest.badJson();
            }
            return node;
        } catch (JacksonException e) {
            throw InvalidRequest.badJson();
        }
    }

    /** The {@code model}, which must name one of {@link Models} or {@code extraModels}, or 400. */
    static String model(JsonNode body, List<String> extraModels) {
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            throw InvalidRequest.missing("model");
        }
        if (!model.isString()) {
            throw InvalidRequest.invalid("model", "expected a string.");
        }
        String id = model.stringValue();
        if (Models.find(id, extraModels).isEmpty()) {
            throw InvalidRequest.unknownModel(id, 400);
        }
        return id;
    }

    /** {@code stream}: absent or false means no, true means yes, anything else is 400. */
    static boolean stream(JsonNode body) {
        JsonNode stream = body.get("stream");
        if (stream == null || stream.isNull()) {
            return false;
        }
        if (!stream.isBoolean()) {
            throw InvalidRequest.invalid("stream", "expected a boolean.");
        }
        return stream.booleanValue();
    }

    /**
     * The completion tokens asked for: {@code max_completion_tokens}, else {@code max_tokens}; null when
     * neither is given; 400 unless a positive integer.
     */
    static Integer maxTokens(JsonNode body) {
        for (String param : new String[] {"max_completion_tokens", "max_tokens"}) {
            JsonNode n = body.get(param);
            if (n != null && !n.isNull()) {
                if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1) {
                    throw InvalidRequest.invalid(param, "expected a positive integer.");
                }
                return n.intValue();
            }
        }
        return null;
    }

    /** {@code prefix} and 24 random letters and digits, like OpenAI's {@code chatcmpl-...} ids. */
    static String id(String prefix) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder id = new StringBuilder(prefix);
        for (int i = 0; i < 24; i++) {
            id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }
}
