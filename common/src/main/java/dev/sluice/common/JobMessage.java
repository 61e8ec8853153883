package dev.sluice.common;

import java.util.Objects;

/**
 * What travels through RabbitMQ: only the job's id and the routing facts. The job itself lives in
 * PostgreSQL, so a lost or duplicated message can never lose or double a job.
 *
 * @param jobId    the job to run
 * @param model    the model, which with the tenant names the lane the message goes to ({@link Queues#forLane})
 * @param tenantId the tenant that submitted the job
 * @param priority 0 (default) to 9 for submitted jobs, {@link #SYNCHRONOUS} for a facade call; the lane queue's
 *                 message priority, so it orders only the tenant's own jobs
 * @param tokens   what the request is expected to cost against a token limit, so the pacer can reserve it before
 *                 the job is read
 */
public record JobMessage(String jobId, String model, String tenantId, int priority, TokenEstimate tokens) {

    /** The priority of a synchronous facade call: above any a client can choose, so it goes first in its lane. */
    public static final int SYNCHRONOUS = 10;

    public JobMessage {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(tokens, "tokens");
        if (priority < 0 || priority > SYNCHRONOUS) {
            throw new IllegalArgumentException("priority is 0-" + SYNCHRONOUS + ", got " + priority);
        }
    }

    /** The message's lane queue. */
    public String lane() {
        return Queues.forLane(model, tenantId);
    }
}
