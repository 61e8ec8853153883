package dev.sluice.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import tools.jackson.databind.JsonNode;

/**
 * Follows one batch to its end by polling {@code GET /v1/batches/{id}}, the only way every
 * OpenAI-compatible Batch API offers. A blip (the server briefly unreachable, a 5xx, a 429) does
 * not end hours of watching: polling goes on through {@link #MAX_BLIPS} of them in a row.
 */
final class BatchWatcher {

    static final int MAX_BLIPS = 10;

    private final ApiClient api;
    private final Duration interval;
    private final Clock clock;
    private final PrintWriter err;

    BatchWatcher(ApiClient api, Duration interval, Clock clock, PrintWriter err) {
        this.api = api;
        this.interval = interval;
        this.clock = clock;
        this.err = err;
    }

    /** Polls until the batch is finished, showing its progress; returns its last state. */
    JsonNode follow(JsonNode batch, ProgressDisplay display) {
        String id = BatchReport.id(batch);
        // Ctrl-C stops the watching, not the batch: say how to pick it up again.
        Thread hint = new Thread(() -> {
            display.close();
            err.println();
            err.println("sluice: stopped watching " + id + "; it keeps running. Resume with: sluice batch wait " + id);
            err.flush();
        });
        Runtime.getRuntime().addShutdownHook(hint);
        BatchProgress.Tracker tracker = new BatchProgress.Tracker();
        try (display) {
            int blips = 0;
            while (true) {
                display.show(progress(tracker, batch));
                if (BatchReport.finished(batch)) {
                    break;
                }
                pause();
                try {
                    batch = api.get(BatchReport.path(id));
                    blips = 0;
                } catch (CliException e) {
                    if (!e.passing() || ++blips > MAX_BLIPS) {
                        throw e;
                    }
                    err.println("sluice: " + e.getMessage() + " (still watching, " + blips + " of " + MAX_BLIPS + ")");
                    err.flush();
                }
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(hint);
        }
        return batch;
    }

    private BatchProgress progress(BatchProgress.Tracker tracker, JsonNode batch) {
        JsonNode estimate = batch.path("estimated_completion_at");
        return tracker.observe(
                BatchReport.id(batch),
                BatchReport.status(batch),
                BatchReport.total(batch),
                BatchReport.succeeded(batch) + BatchReport.failed(batch),
                BatchReport.failed(batch),
                estimate.isNumber() ? estimate.asLong() : null,
                clock.instant());
    }

    private void pause() {
        try {
            Thread.sleep(interval);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNREACHABLE, "interrupted while waiting.");
        }
    }
}
