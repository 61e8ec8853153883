package dev.sluice.api.admin;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.NOT_REQUIRED;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.annotation.Nullable;
import java.math.BigDecimal;
import java.util.List;

/**
 * The request bodies of the admin API as the API description shows them. The controllers read each body as a
 * stream and refuse unknown fields, so these records only describe them; they are never bound.
 */
final class AdminSchemas {

    private AdminSchemas() {}

    /** {@code POST /admin/api-keys}. */
    @Schema(name = "CreateApiKeyRequest", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
    record CreateApiKey(
            @Schema(description = "The operator's name for the key, at most 200 characters")
            String name) {}

    /**
     * {@code PUT /admin/limits}: replaces the model's configured limits, cap and answer default as a whole. Either
     * {@code limits} or the single-window {@code requests} and {@code per_seconds}.
     */
    @Schema(name = "SetLimitRequest", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
    record SetLimit(
            @Schema(description = "At most 243 UTF-8 bytes") String model,

            @Schema(
                    requiredMode = NOT_REQUIRED,
                    description = "Every window to enforce at once; empty or null clears the configured limits")
            @Nullable
            List<SetLimitEntry> limits,

            @Schema(
                    requiredMode = NOT_REQUIRED,
                    minimum = "1",
                    description = "Single-window form; both null clears the configured limits")
            @Nullable
            Integer requests,

            @Schema(
                    requiredMode = NOT_REQUIRED,
                    minimum = "0.001",
                    maximum = "2592000",
                    description = "Whole milliseconds")
            @Nullable
            BigDecimal perSeconds,

            @Schema(requiredMode = NOT_REQUIRED, minimum = "1", description = "Absent or null: no cap") @Nullable
            Integer maxConcurrency,

            @Schema(
                    requiredMode = NOT_REQUIRED,
                    minimum = "0",
                    description = "Tokens reserved for an answer whose request names no max_tokens; "
                            + "absent or null: SLUICE_DEFAULT_MAX_TOKENS")
            @Nullable
            Integer defaultMaxTokens) {}

    /** One window of {@code limits}: {@code requests} or {@code tokens} per {@code per_seconds}. */
    @Schema(name = "SetLimitEntry", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
    record SetLimitEntry(
            @Schema(requiredMode = NOT_REQUIRED, minimum = "1") @Nullable
            Long requests,

            @Schema(requiredMode = NOT_REQUIRED, minimum = "1") @Nullable
            Long tokens,

            @Schema(minimum = "0.001", maximum = "2592000", description = "Whole milliseconds")
            BigDecimal perSeconds) {}

    /** {@code POST /admin/pause} and {@code /admin/resume}. */
    @Schema(name = "ModelRequest", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
    record Model(String model) {}

    /** {@code POST /admin/jobs/retry}: every field filters; none retries every failed job. */
    @Schema(name = "RetryJobsRequest", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
    record RetryFilter(
            @Schema(requiredMode = NOT_REQUIRED, allowableValues = "failed") @Nullable
            String status,

            @Schema(requiredMode = NOT_REQUIRED) @Nullable String model,
            @Schema(requiredMode = NOT_REQUIRED) @Nullable String batchId,

            @Schema(requiredMode = NOT_REQUIRED, description = "A tenant id") @Nullable
            String tenant,

            @Schema(requiredMode = NOT_REQUIRED, minimum = "1", maximum = "1000", description = "Default 1000")
            @Nullable
            Integer limit) {}
}
