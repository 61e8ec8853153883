package dev.sluice.api.job;

import dev.sluice.api.web.JsonText;
import dev.sluice.db.job.JobRow;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.annotation.Nullable;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The job object: {@code id, object: "job", batch_id, custom_id, url, model, status, attempts,
 * created_at, started_at, completed_at} (unix seconds or null), {@code response {status_code, body}},
 * {@code error {code, message}}, {@code usage}, {@code latency_ms}, plus {@code priority} and
 * {@code webhook_url}, {@code webhook_events} (null: every type), {@code cached} (the result came from the response cache, not the provider),
 * and {@code content_expired_at} (unix seconds when the retention period removed the request and the answer's body,
 * {@code response.body} null since; status, error and usage remain).
 */
record JobView(
        String id,
        String object,
        @Nullable String batchId,
        @Nullable String customId,
        String url,
        String model,
        String status,
        int attempts,
        long createdAt,
        @Nullable Long startedAt,
        @Nullable Long completedAt,
        @Nullable Response response,
        @Nullable Error error,
        @Nullable Usage usage,
        @Nullable Integer latencyMs,
        int priority,
        @Nullable String webhookUrl,
        @Nullable List<String> webhookEvents,
        boolean cached,
        @Nullable Long contentExpiredAt) {

    /**
     * What the provider answered.
     *
     * @param statusCode its HTTP status
     * @param body       its body: JSON when it was JSON, otherwise the text as a string
     */
    record Response(
            int statusCode,
            @Schema(description = "any JSON value") JsonNode body) {}

    /**
     * Why a job failed without (or besides) an HTTP answer.
     *
     * @param code    e.g. {@code request_timeout}, {@code batch_expired}
     * @param message a human-readable explanation
     */
    record Error(@Nullable String code, @Nullable String message) {}

    /**
     * The provider's token counts for this job.
     *
     * @param promptTokens     input tokens
     * @param completionTokens output tokens
     * @param totalTokens      both
     */
    record Usage(
            @Nullable Integer promptTokens,
            @Nullable Integer completionTokens,
            @Nullable Integer totalTokens) {}

    static JobView of(JobRow job) {
        Response response = job.responseStatus() == null
                ? null
                : new Response(job.responseStatus(), JsonText.of(job.responseBody()));
        Error error = job.errorCode() == null && job.errorMessage() == null
                ? null
                : new Error(job.errorCode(), job.errorMessage());
        Usage usage = job.totalTokens() == null && job.promptTokens() == null
                ? null
                : new Usage(job.promptTokens(), job.completionTokens(), job.totalTokens());
        return new JobView(
                job.id(),
                "job",
                job.batchId(),
                job.customId(),
                job.url(),
                job.model(),
                job.status().wire(),
                job.attempts(),
                job.createdAt().getEpochSecond(),
                seconds(job.startedAt()),
                seconds(job.completedAt()),
                response,
                error,
                usage,
                job.latencyMs(),
                job.priority(),
                job.webhookUrl(),
                job.webhookEvents(),
                job.cached(),
                seconds(job.contentExpiredAt()));
    }

    private static Long seconds(Instant instant) {
        return instant == null ? null : instant.getEpochSecond();
    }
}
