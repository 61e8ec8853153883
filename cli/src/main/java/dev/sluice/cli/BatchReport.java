package dev.sluice.cli;

import java.util.Set;
import tools.jackson.databind.JsonNode;

/** What a batch object says once read: finished or not, the one-line summary, the exit code. */
final class BatchReport {

    /** OpenAI's terminal statuses: the batch changes no more. */
    static final Set<String> FINISHED = Set.of("completed", "failed", "expired", "cancelled");

    private BatchReport() {}

    /** {@code /v1/batches/{id}}, with the id as one path segment. */
    static String path(String id) {
        return "/v1/batches/" + Text.segment(id);
    }

    static String id(JsonNode batch) {
        return batch.path("id").asString("");
    }

    static String status(JsonNode batch) {
        return batch.path("status").asString("unknown");
    }

    static boolean finished(JsonNode batch) {
        return FINISHED.contains(status(batch));
    }

    static long total(JsonNode batch) {
        return batch.path("request_counts").path("total").asLong(0);
    }

    static long succeeded(JsonNode batch) {
        return batch.path("request_counts").path("completed").asLong(0);
    }

    static long failed(JsonNode batch) {
        return batch.path("request_counts").path("failed").asLong(0);
    }

    /** 0 when the batch completed with every line succeeded, 1 otherwise (docs/cli.md). */
    static ExitCode exitCode(JsonNode batch) {
        return status(batch).equals("completed") && failed(batch) == 0 ? ExitCode.OK : ExitCode.NOT_ALL_SUCCEEDED;
    }

    /** {@code batch_x completed: 98 of 100 succeeded, 2 failed.}, with the first validation error if it failed. */
    static String summary(JsonNode batch) {
        StringBuilder line = new StringBuilder(id(batch))
                .append(' ')
                .append(status(batch))
                .append(": ")
                .append(succeeded(batch))
                .append(" of ")
                .append(total(batch))
                .append(" succeeded, ")
                .append(failed(batch))
                .append(" failed.");
        JsonNode firstError = batch.path("errors").path("data").path(0);
        if (firstError.path("message").isString()) {
            line.append(' ');
            if (firstError.path("line").isNumber()) {
                line.append("Line ").append(firstError.path("line").asLong()).append(": ");
            }
            line.append(firstError.path("message").asString());
        }
        return line.toString();
    }
}
