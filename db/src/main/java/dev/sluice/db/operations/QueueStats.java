package dev.sluice.db.operations;

import java.time.Instant;

/**
 * What PostgreSQL (the source of truth, not the broker) says about one model's work right now.
 *
 * @param model               the model id
 * @param waiting             jobs {@code queued}, including those backing off before a retry
 * @param running             jobs {@code running} (claimed by a worker, in flight or waiting for a slot)
 * @param oldestWaitingSince  when the oldest waiting job was submitted, or null when none waits
 * @param rateLimitedRecently 429s stored for the model since the instant the query was given
 * @param consumers           live workers (recent heartbeat) that dispatch the model's queue
 */
public record QueueStats(
        String model,
        long waiting,
        long running,
        Instant oldestWaitingSince,
        long rateLimitedRecently,
        int consumers) {}
