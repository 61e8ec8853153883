package dev.sluice.api.admin;

import dev.sluice.db.job.AdminJob;
import jakarta.annotation.Nullable;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** The objects {@code /admin/jobs} answers with. */
final class AdminJobViews {

    private AdminJobViews() {}

    /**
     * A job as an operator sees it: where it is and how it ended, never what it asked or answered.
     *
     * @param id             the job id
     * @param object         always {@code admin.job}
     * @param tenantId       its tenant
     * @param batchId        its batch, or null for a single job
     * @param lineNo         its 1-based line in the batch, or null
     * @param customId       the client's id, or null
     * @param url            the endpoint path
     * @param model          the model
     * @param priority       0-9
     * @param status         the status
     * @param attempts       upstream calls made
     * @param createdAt      unix seconds
     * @param startedAt      unix seconds, or null
     * @param completedAt    unix seconds, or null
     * @param responseStatus the provider's HTTP status, or null
     * @param error          why it did not succeed, or null
     * @param usage          tokens, or null
     * @param latencyMs      the last attempt's latency, or null
     */
    record Job(
            String id,
            String object,
            String tenantId,
            @Nullable String batchId,
            @Nullable Integer lineNo,
            @Nullable String customId,
            String url,
            String model,
            int priority,
            String status,
            int attempts,
            long createdAt,
            @Nullable Long startedAt,
            @Nullable Long completedAt,
            @Nullable Integer responseStatus,
            @Nullable Error error,
            @Nullable Usage usage,
            @Nullable Integer latencyMs) {

        static Job of(AdminJob job) {
            return new Job(
                    job.id(),
                    "admin.job",
                    job.tenantId(),
                    job.batchId(),
                    job.lineNo(),
                    job.customId(),
                    job.url(),
                    job.model(),
                    job.priority(),
                    job.status().wire(),
                    job.attempts(),
                    job.createdAt().getEpochSecond(),
                    seconds(job.startedAt()),
                    seconds(job.completedAt()),
                    job.responseStatus(),
                    job.errorCode() == null && job.errorMessage() == null
                            ? null
                            : new Error(job.errorCode(), job.errorMessage()),
                    job.totalTokens() == null && job.promptTokens() == null
                            ? null
                            : new Usage(job.promptTokens(), job.completionTokens(), job.totalTokens()),
                    job.latencyMs());
        }

        private static Long seconds(Instant instant) {
            return instant == null ? null : instant.getEpochSecond();
        }
    }

    /**
     * One job in full, for the dashboard's job page: what it asked, what came back, and what is known of its
     * attempts. Attempts are not stored one by one: {@code attempts} counts the upstream calls, the times are
     * the first start and the end, and {@code rate_limit_events} lists the 429s it met (which give their
     * attempt back, so they are not counted in {@code attempts}).
     *
     * @param job             the job as {@code GET /admin/jobs} lists it
     * @param request         the request body as the client sent it (JSON, or a string if it is not JSON); null once
     *                        the retention period removed it
     * @param response        the provider's status and body, or null
     * @param cached          whether the answer came from the response cache
     * @param retriedAs       the batch or job an admin retry made of it, or null
     * @param rateLimitEvents the 429s it met, oldest first
     */
    record Detail(
            Job job,
            @Nullable JsonNode request,
            Response response,
            boolean cached,
            String retriedAs,
            List<RateLimitEventViews.Event> rateLimitEvents) {}

    /** @param statusCode the provider's HTTP status; @param body its body, JSON or a string */
    record Response(int statusCode, JsonNode body) {}

    /** @param code a code, e.g. {@code upstream_error}; @param message the same in words */
    record Error(@Nullable String code, @Nullable String message) {}

    /** @param promptTokens prompt; @param completionTokens completion; @param totalTokens both */
    record Usage(
            @Nullable Integer promptTokens,
            @Nullable Integer completionTokens,
            @Nullable Integer totalTokens) {}

    /**
     * What a retry made: new batches (one per old batch whose failed jobs were retried) and new single jobs.
     *
     * @param object  always {@code admin.job_retry}
     * @param retried failed jobs retried
     * @param batches ids of the new batches
     * @param jobs    ids of the new single jobs
     * @param hasMore whether more failed jobs match the filter than one call retries; call again for them
     */
    record Retried(String object, int retried, List<String> batches, List<String> jobs, boolean hasMore) {}
}
