package dev.sluice.db.batch;

/**
 * Token usage summed over jobs.
 *
 * @param promptTokens     input tokens
 * @param completionTokens output tokens
 * @param totalTokens      both
 */
public record Usage(long promptTokens, long completionTokens, long totalTokens) {

    /** No tokens. */
    public static final Usage NONE = new Usage(0, 0, 0);
}
