package dev.sluice.api.batch;

import dev.sluice.api.job.JobRequest;
import dev.sluice.common.Endpoint;
import java.time.Duration;
import java.util.List;

/**
 * A batch submitted with its requests in the body, every line already checked.
 *
 * @param endpoint         the endpoint every line calls
 * @param completionWindow as given (default {@code 24h})
 * @param window           its length
 * @param metadataJson     the metadata object as JSON, or null
 * @param webhookUrl       where the terminal event goes, or null
 * @param priority         0-9
 * @param requests         the lines, in order
 */
record InlineBatch(
        Endpoint endpoint,
        String completionWindow,
        Duration window,
        String metadataJson,
        String webhookUrl,
        int priority,
        List<JobRequest> requests) {
}
