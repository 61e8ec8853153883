package dev.sluice.common;

import java.util.Objects;

/**
 * What travels through RabbitMQ: only the job's id and the routing facts. The job itself lives in
 * PostgreSQL, so a lost or duplicated message can never lose or double a job.
 *
 * @param jobId    the job to run
 * @param model    the model, which names the queue
 * @param priority 0 (default) to 9, mapped onto the queue's message priority
 * @param tokens   what the request is expected to cost against a token limit, so the pacer can reserve it before
 *                 the job is read
 */
public record JobMessage(String jobId, String model, int priority, TokenEstimate tokens) {

    public JobMessage {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tokens, "tokens");
        if (priority < 0 || priority > 9) {
            throw new IllegalArgumentException("priority is 0-9, got " + priority);
        }
    }

    /** A message with no token estimate ({@link TokenEstimate#UNKNOWN}). */
    public JobMessage(String jobId, String model, int priority) {
        this(jobId, model, priority, TokenEstimate.UNKNOWN);
    }
}
