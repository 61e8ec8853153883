package dev.sluice.common;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The broker topology both services declare, so that their declarations always agree: one durable priority queue
 * per <em>lane</em>, that is per model and tenant. A lane queue exists while its tenant has work for the model (the
 * api-service declares it before publishing, a worker deletes it once it has stayed empty); which lane a worker
 * takes from next is decided by weighted fair share (docs/tenants.md), and the message priority orders only the
 * tenant's own jobs. Jobs are published through the default exchange with the lane's name as routing key, with
 * {@code mandatory} set so an unroutable message comes back instead of vanishing.
 */
public final class Queues {

    /** Highest message priority: jobs use 0-9 and the synchronous facade the top ({@link JobMessage#SYNCHRONOUS}). */
    public static final int MAX_PRIORITY = JobMessage.SYNCHRONOUS;

    /** The longest tenant id a lane name leaves room for (ids are {@code tenant_} and 12 characters). */
    public static final int MAX_TENANT_ID_BYTES = 40;

    /** The longest model name whose lane names fit the broker's 255 bytes with any tenant id. */
    public static final int MAX_MODEL_BYTES =
            255 - ("sluice.lane." + ".").getBytes(StandardCharsets.UTF_8).length - MAX_TENANT_ID_BYTES;

    private Queues() {}

    /** The queue of one tenant's jobs for one model, e.g. {@code sluice.lane.tenant_a1b2c3d4e5f6.openai/gpt-4o-mini}. */
    public static String forLane(String model, String tenantId) {
        return "sluice.lane." + tenantId + "." + model;
    }

    /** Arguments every lane queue is declared with (a mismatch makes the broker refuse). */
    public static Map<String, Object> arguments() {
        return Map.of("x-max-priority", MAX_PRIORITY);
    }
}
