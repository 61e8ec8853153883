package dev.sluice.api.facade;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.NOT_REQUIRED;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The facade's bodies as the API description shows them: OpenAI's, passed to and from the provider as they are.
 * Only the fields Sluice itself reads or relies on are listed; every other field of OpenAI's API passes through,
 * so the objects stay open ({@code additionalProperties}).
 */
final class FacadeSchemas {

    private FacadeSchemas() {}

    /** OpenAI's chat completion request. */
    @Schema(name = "ChatCompletionRequest", additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    record ChatCompletionRequest(
            String model,
            @Schema(types = "array") List<JsonNode> messages,

            @Schema(
                    requiredMode = NOT_REQUIRED,
                    description = "true: Server-Sent Events chunks ending in " + "`data: [DONE]`")
            Boolean stream) {}

    /** OpenAI's (legacy) completion request. */
    @Schema(name = "CompletionRequest", additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    record CompletionRequest(
            String model,

            @Schema(description = "A string or an array of strings")
            JsonNode prompt,

            @Schema(requiredMode = NOT_REQUIRED) Boolean stream) {}

    /** OpenAI's embeddings request. */
    @Schema(name = "EmbeddingRequest", additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    record EmbeddingRequest(
            String model,

            @Schema(description = "A string or an array of strings")
            JsonNode input) {}

    /** OpenAI's chat completion, as the provider answered. */
    @Schema(name = "ChatCompletion", additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    record ChatCompletion(
            String id,
            @Schema(allowableValues = "chat.completion") String object,
            long created,
            String model,
            @Schema(types = "array") List<JsonNode> choices,

            @Schema(requiredMode = NOT_REQUIRED, types = "object")
            JsonNode usage) {}

    /** OpenAI's completion, as the provider answered. */
    @Schema(name = "Completion", additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    record Completion(
            String id,
            @Schema(allowableValues = "text_completion") String object,
            long created,
            String model,
            @Schema(types = "array") List<JsonNode> choices,

            @Schema(requiredMode = NOT_REQUIRED, types = "object")
            JsonNode usage) {}

    /** OpenAI's embeddings answer, as the provider answered. */
    @Schema(name = "EmbeddingList", additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    record EmbeddingList(
            @Schema(allowableValues = "list") String object,
            @Schema(types = "array") List<JsonNode> data,
            String model,

            @Schema(requiredMode = NOT_REQUIRED, types = "object")
            JsonNode usage) {}

    /** One of the provider's models. */
    @Schema(name = "Model", additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    record Model(
            @Schema(description = "e.g. openai/gpt-4o-mini") String id,
            @Schema(allowableValues = "model") String object) {}

    /** The provider's models. */
    @Schema(name = "ModelList", additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    record ModelList(@Schema(allowableValues = "list") String object, List<Model> data) {}
}
