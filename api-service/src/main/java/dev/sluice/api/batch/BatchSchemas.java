package dev.sluice.api.batch;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.NOT_REQUIRED;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.annotation.Nullable;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The request body of {@code POST /v1/batches} as the API description shows it. {@link BatchReader} reads the
 * body as a stream and refuses anything else, so these records only describe it; they are never bound.
 */
final class BatchSchemas {

    private BatchSchemas() {}

    /** Either {@code input_file_id} (OpenAI's form) or {@code requests} (inline), never both. */
    @Schema(
            name = "CreateBatchRequest",
            additionalProperties = Schema.AdditionalPropertiesValue.FALSE,
            description = "Either `input_file_id` (an uploaded JSONL file, as with OpenAI) or `requests` (inline), "
                    + "not both. Unknown fields are refused.")
    record CreateBatch(
            @Schema(
                    description = "The endpoint of every line",
                    allowableValues = {"/v1/chat/completions", "/v1/completions", "/v1/embeddings"})
            String endpoint,

            @Schema(requiredMode = NOT_REQUIRED, description = "A file uploaded with purpose `batch`")
            String inputFileId,

            @Schema(
                    requiredMode = NOT_REQUIRED,
                    description = "The lines themselves, at most " + "`sluice.input.max-requests-per-batch`")
            List<InlineRequest> requests,

            @Schema(requiredMode = NOT_REQUIRED, description = "`Nh` or `Nm`, 1m to 24h; default 24h", example = "24h")
            String completionWindow,

            @Schema(
                    requiredMode = NOT_REQUIRED,
                    description = "Up to 16 string pairs (keys ≤ 64, values ≤ 512 " + "characters)")
            @Nullable
            Map<String, String> metadata,

            @Schema(requiredMode = NOT_REQUIRED, description = "Called when the batch ends (docs/webhooks.md)")
            @Nullable
            String webhookUrl,

            @Schema(
                    requiredMode = NOT_REQUIRED,
                    description = "Which of batch.completed, batch.failed, "
                            + "batch.expired, batch.cancelled the webhook gets; default all")
            @Nullable
            List<String> webhookEvents,

            @Schema(
                    requiredMode = NOT_REQUIRED,
                    minimum = "0",
                    maximum = "9",
                    description = "Higher runs first; " + "default 0")
            Integer priority,

            @Schema(requiredMode = NOT_REQUIRED, description = "OpenAI's; accepted and ignored")
            JsonNode outputExpiresAfter) {}

    /** One line of an inline batch, as a line of an OpenAI batch input file. */
    @Schema(name = "BatchRequestLine", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
    record InlineRequest(
            @Schema(description = "Unique within the batch; names the line's result")
            String customId,

            @Schema(requiredMode = NOT_REQUIRED, allowableValues = "POST")
            String method,

            @Schema(requiredMode = NOT_REQUIRED, description = "The batch's endpoint, if given")
            String url,

            @Schema(description = "The provider request, with its `model`", types = "object")
            JsonNode body) {}
}
