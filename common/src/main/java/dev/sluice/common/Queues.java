package dev.sluice.common;

import java.util.Map;

/**
 * The broker topology both services declare, so that their declarations always agree: one durable
 * priority queue per model. Jobs are published through the default exchange with the queue's name
 * as routing key, with {@code mandatory} set so an unroutable message comes back instead of vanishing.
 */
public final class Queues {

    /** Highest message priority; jobs use 0-9 and the synchronous facade uses the top. */
    public static final int MAX_PRIORITY = 10;

    private static final String PREFIX = "sluice.jobs.";

    private Queues() {}

    /** The queue of one model, e.g. {@code sluice.jobs.openai/gpt-4o-mini}. */
    public static String forModel(String model) {
        return PREFIX + model;
    }

    /** The model a queue name belongs to, or null when it is not one of ours. */
    public static String modelOf(String queue) {
        return queue.startsWith(PREFIX) ? queue.substring(PREFIX.length()) : null;
    }

    /** Arguments every model queue is declared with (a mismatch makes the broker refuse). */
    public static Map<String, Object> arguments() {
        return Map.of("x-max-priority", MAX_PRIORITY);
    }
}
