package dev.sluice.api.batch;

import dev.sluice.api.job.JobRequest;
import dev.sluice.common.Endpoint;
import java.time.Duration;
import java.util.List;

/**
 * A checked batch: its requests came inline in the body (all checked), or it names an uploaded input file
 * (checked to exist; its lines are checked as they are stored).
 *
 * @param endpoint         the endpoint every line calls
 * @param completionWindow as given (default {@code 24h})
 * @param window           its length
 * @param metadataJson     the metadata object as JSON, or null
 * @param webhookUrl       where the terminal event goes, or null
 * @param priority         0-9
 * @param inputFileId      the input file the requests were read from, or null when they came inline
 * @param requests         the lines, in order; null for a batch from an input file, whose lines are read as
 *                         it is stored
 * @param webhookEvents    the terminal event types its webhook wants, or null for all
 */
record InlineBatch(
        Endpoint endpoint,
        String completionWindow,
        Duration window,
        String metadataJson,
        String webhookUrl,
        int priority,
        String inputFileId,
        List<JobRequest> requests,
        List<String> webhookEvents) {}
