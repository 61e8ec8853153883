package dev.sluice.api.job;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.NOT_REQUIRED;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.annotation.Nullable;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The request body of {@code POST /v1/jobs} as the API description shows it. {@link SingleJobReader} reads the
 * body as a stream, so this record only describes it; it is never bound.
 */
final class JobSchemas {

    private JobSchemas() {}

    /** One request to run on its own. */
    @Schema(name = "CreateJobRequest", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
    record CreateJob(
            @Schema(allowableValues = {"/v1/chat/completions", "/v1/completions", "/v1/embeddings"})
            String url,

            @Schema(description = "The provider request, with its `model`", types = "object")
            JsonNode body,

            @Schema(requiredMode = NOT_REQUIRED) @Nullable String customId,

            @Schema(requiredMode = NOT_REQUIRED, description = "Called when the job ends (docs/webhooks.md)") @Nullable
            String webhookUrl,

            @Schema(
                    requiredMode = NOT_REQUIRED,
                    description = "Which of job.succeeded, job.failed, job.cancelled, "
                            + "job.expired the webhook gets; default all")
            @Nullable
            List<String> webhookEvents,

            @Schema(requiredMode = NOT_REQUIRED, minimum = "0", maximum = "9")
            Integer priority) {}
}
