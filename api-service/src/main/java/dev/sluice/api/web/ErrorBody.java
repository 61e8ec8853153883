package dev.sluice.api.web;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.NOT_REQUIRED;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.annotation.Nullable;

/**
 * OpenAI's error object, the body of every non-2xx response:
 * {@code {"error": {"message", "type", "param", "code"}}}; a 429 {@code quota_exceeded} adds {@code quota},
 * {@code limit}, {@code used} and {@code requested}.
 *
 * @param error the details
 */
record ErrorBody(Detail error) {

    /**
     * @param message what went wrong and what to do about it
     * @param type    {@code invalid_request_error}, or {@code server_error} for Sluice's own faults
     * @param param   the offending parameter, e.g. {@code requests[3].body.model}, or null
     * @param code      a stable machine-readable code, or null
     * @param quota     {@code quota_exceeded} only: the quota, e.g. {@code queued_jobs}
     * @param limit     {@code quota_exceeded} only: the tenant's limit of that quota
     * @param used      {@code quota_exceeded} only: what the tenant holds now, without the refused request
     * @param requested {@code quota_exceeded} only: what the refused request asked for
     */
    public record Detail(
            String message,
            String type,
            @Nullable String param,
            @Nullable String code,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(requiredMode = NOT_REQUIRED)
            String quota,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(requiredMode = NOT_REQUIRED)
            Long limit,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(requiredMode = NOT_REQUIRED)
            Long used,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(requiredMode = NOT_REQUIRED)
            Long requested) {}

    static ErrorBody of(ApiException e) {
        ApiException.QuotaUse quota = e.quota();
        return new ErrorBody(new Detail(
                e.getMessage(),
                e.type(),
                e.param(),
                e.code(),
                quota == null ? null : quota.quota(),
                quota == null ? null : quota.limit(),
                quota == null ? null : quota.used(),
                quota == null ? null : quota.requested()));
    }
}
