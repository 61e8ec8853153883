package dev.sluice.api.facade;

import dev.sluice.api.job.JobFields;
import dev.sluice.api.web.ApiException;
import dev.sluice.common.Endpoint;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One call to the facade, read from the body an OpenAI SDK sent: the model that names the queue, whether
 * the caller wants Server-Sent Events, and the body to store as the job's, exactly as sent. A streaming
 * call keeps its {@code stream: true}: a worker with {@code sluice.upstream.streaming} relays the provider's
 * stream, any other worker calls without streaming and the facade turns the whole answer into chunks.
 *
 * @param endpoint     the endpoint called
 * @param model        the body's {@code model}
 * @param body         the body the job sends to the provider
 * @param stream       whether the caller asked for {@code stream: true}
 * @param includeUsage whether {@code stream_options.include_usage} asked for a final usage chunk
 */
record FacadeCall(Endpoint endpoint, String model, String body, boolean stream, boolean includeUsage) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static FacadeCall read(Endpoint endpoint, byte[] bytes) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw ApiException.invalid(
                    null, "invalid_json", "The request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiException.invalid(null, "invalid_json", "The request body must be a JSON object.");
        }
        JsonNode model = root.get("model");
        if (model == null || model.isNull()) {
            throw ApiException.invalid("model", "missing_model", "Missing 'model': the body must name a model.");
        }
        JobFields.checkModel(model.isString() ? model.asString() : null, "model", "");
        JsonNode stream = root.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw ApiException.invalid("stream", "invalid_stream", "'stream' must be true or false.");
        }
        boolean streaming = stream != null && stream.asBoolean(false);
        if (!streaming) {
            return new FacadeCall(endpoint, model.asString(), new String(bytes, StandardCharsets.UTF_8), false, false);
        }
        if (endpoint == Endpoint.EMBEDDINGS) {
            throw ApiException.invalid("stream", "invalid_stream", "/v1/embeddings does not stream; drop 'stream'.");
        }
        JsonNode options = root.get("stream_options");
        boolean includeUsage = options != null
                && options.isObject()
                && options.path("include_usage").asBoolean(false);
        return new FacadeCall(
                endpoint, model.asString(), new String(bytes, StandardCharsets.UTF_8), true, includeUsage);
    }
}
