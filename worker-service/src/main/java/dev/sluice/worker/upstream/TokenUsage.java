package dev.sluice.worker.upstream;

/**
 * The {@code usage} object of a provider answer. Each count is null when the answer does not carry it:
 * embeddings report no completion tokens.
 *
 * @param promptTokens     {@code usage.prompt_tokens}
 * @param completionTokens {@code usage.completion_tokens}
 * @param totalTokens      {@code usage.total_tokens}
 */
public record TokenUsage(Integer promptTokens, Integer completionTokens, Integer totalTokens) {

    /** An answer without usage. */
    public static final TokenUsage NONE = new TokenUsage(null, null, null);
}
