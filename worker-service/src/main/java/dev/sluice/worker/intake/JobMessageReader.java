package dev.sluice.worker.intake;

import dev.sluice.common.JobMessage;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a job message, {@code {"job_id": "job_...", "model": "...", "priority": 0}}, leniently: unknown
 * fields are ignored, a missing model is taken from the queue, a missing or out-of-range priority does not
 * matter (the broker has already ordered the message by it). Only a message without a job id is unusable.
 */
final class JobMessageReader {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private JobMessageReader() {
    }

    /** The message, or empty when the body names no job. */
    static Optional<JobMessage> read(byte[] body, String queueModel) {
        JsonNode json;
        try {
            json = JSON.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (JacksonException notJson) {
            return Optional.empty();
        }
        if (json == null || !json.isObject()) {
            return Optional.empty();
        }
        JsonNode jobId = json.path("job_id");
        if (!jobId.isString() || jobId.stringValue().isBlank()) {
            return Optional.empty();
        }
        JsonNode model = json.path("model");
        String queueOrMessageModel = model.isString() && !model.stringValue().isBlank() ? model.stringValue() : queueModel;
        int priority = json.path("priority").asInt(0);
        return Optional.of(new JobMessage(jobId.stringValue(), queueOrMessageModel, Math.clamp(priority, 0, 9)));
    }
}
