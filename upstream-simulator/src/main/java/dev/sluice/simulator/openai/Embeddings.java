package dev.sluice.simulator.openai;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/embeddings} (when enabled): validation and the embedding {@code list} answer. */
final class Embeddings {

    /** Small, so tests can read the vectors; a {@code dimensions} parameter asks for another size. */
    static final int DEFAULT_DIMENSIONS = 8;

    private static final int MAX_DIMENSIONS = 4096;

    record EmbeddingList(String object, List<Embedding> data, String model, Usage usage) {}

    /** {@code embedding} is a float array, or a base64 string of little-endian float32 for that format. */
    record Embedding(String object, int index, Object embedding) {}

    record Usage(int promptTokens, int totalTokens) {}

    private Embeddings() {}

    /** Validates {@code body} and prepares the answer: one embedding per input, in order. */
    static Call call(JsonNode body, List<String> extraModels) {
        String model = Requests.model(body, extraModels);
        List<String> inputs = Inputs.strings(body, "input");
        int dimensions = dimensions(body);
        boolean base64 = base64(body);
        List<Embedding> data = new ArrayList<>();
        int tokens = 0;
        for (String input : inputs) {
            float[] vector = Content.embedding(input, dimensions);
            data.add(new Embedding("embedding", data.size(), base64 ? encode(vector) : vector));
            tokens += Content.words(input);
        }
        return new Call(
                model,
                new EmbeddingList("list", data, model, new Usage(tokens, tokens)),
                null,
                new Call.Tokens(tokens, 0, 0, inputs.size()));
    }

    private static int dimensions(JsonNode body) {
        JsonNode d = body.get("dimensions");
        if (d == null || d.isNull()) {
            return DEFAULT_DIMENSIONS;
        }
        if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 1 || d.intValue() > MAX_DIMENSIONS) {
            throw InvalidRequest.invalid("dimensions", "expected an integer from 1 to " + MAX_DIMENSIONS + ".");
        }
        return d.intValue();
    }

    private static boolean base64(JsonNode body) {
        JsonNode f = body.get("encoding_format");
        if (f == null || f.isNull() || (f.isString() && f.stringValue().equals("float"))) {
            return false;
        }
        if (f.isString() && f.stringValue().equals("base64")) {
            return true;
        }
        throw InvalidRequest.invalid("encoding_format", "expected 'float' or 'base64'.");
    }

    private static String encode(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) {
            bytes.putFloat(v);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
