package dev.sluice.api.batch;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.NOT_REQUIRED;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.annotation.Nullable;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * OpenAI's batch object, field for field, plus the extensions {@code priority},
 * {@code webhook_url}, {@code webhook_events} (null: every type) and {@code estimated_completion_at} (when an {@code in_progress} batch's last job
 * should be dispatched at the effective limits; null otherwise). Times are unix seconds or null.
 */
record BatchView(
        String id,
        String object,
        String endpoint,

        @Schema(description = "OpenAI's `{object: \"list\", data: [{code, message, param, line}]}`, or null") @Nullable
        JsonNode errors,

        String inputFileId,
        String completionWindow,
        String status,
        @Nullable String outputFileId,
        @Nullable String errorFileId,
        long createdAt,
        @Nullable Long inProgressAt,
        @Nullable Long expiresAt,
        @Nullable Long finalizingAt,
        @Nullable Long completedAt,
        @Nullable Long failedAt,
        @Nullable Long expiredAt,
        @Nullable Long cancellingAt,
        @Nullable Long cancelledAt,
        RequestCounts requestCounts,

        @Schema(
                types = {"object", "null"},
                additionalPropertiesSchema = String.class,
                description = "Up to 16 string pairs the client attached, or null")
        @Nullable
        JsonNode metadata,

        Usage usage,
        int priority,
        @Nullable String webhookUrl,
        @Nullable List<String> webhookEvents,
        @Nullable Long estimatedCompletionAt) {

    /**
     * OpenAI's counts ({@code completed} = succeeded, {@code failed} = failed, cancelled or expired)
     * and, while the batch runs, how many jobs are in each other state.
     *
     * @param total     all requests
     * @param completed succeeded
     * @param failed    finished without success
     * @param queued    waiting (running batches only)
     * @param running   being called (running batches only)
     * @param cancelled cancelled (running batches only)
     * @param expired   expired (running batches only)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RequestCounts(
            int total,
            int completed,
            int failed,
            @Schema(requiredMode = NOT_REQUIRED) Integer queued,
            @Schema(requiredMode = NOT_REQUIRED) Integer running,
            @Schema(requiredMode = NOT_REQUIRED) Integer cancelled,
            @Schema(requiredMode = NOT_REQUIRED) Integer expired) {}

    /**
     * Tokens summed over the batch's jobs, in the shape of OpenAI's batch usage.
     *
     * @param inputTokens         prompt tokens
     * @param inputTokensDetails  always {@code {cached_tokens: 0}}: providers do not report it per line
     * @param outputTokens        completion tokens
     * @param outputTokensDetails always {@code {reasoning_tokens: 0}}
     * @param totalTokens         both
     */
    record Usage(
            long inputTokens,
            InputDetails inputTokensDetails,
            long outputTokens,
            OutputDetails outputTokensDetails,
            long totalTokens) {}

    /** @param cachedTokens prompt tokens served from the provider's cache */
    record InputDetails(long cachedTokens) {}

    /** @param reasoningTokens completion tokens spent on reasoning */
    record OutputDetails(long reasoningTokens) {}
}
