package dev.sluice.common;

/**
 * What a request is expected to cost against a token limit, estimated when it is submitted: its prompt, counted by
 * a tokenizer (or approximated where none fits the model), and the most its answer may use. The provider charges a
 * request's prompt plus its {@code max_tokens} on arrival and corrects to what the answer used, so that is what
 * the pacer reserves before a send and corrects after the answer.
 *
 * @param promptTokens    the prompt's estimated tokens, at least 0
 * @param maxOutputTokens the most tokens the answer may use ({@code max_tokens} or {@code max_completion_tokens};
 *                        0 for embeddings, which produce none), or null when the request does not say: the
 *                        model's default then applies
 */
public record TokenEstimate(int promptTokens, Integer maxOutputTokens) {

    /** Nothing known (a message from before estimates were made): the prompt counts 0, the answer the model's default. */
    public static final TokenEstimate UNKNOWN = new TokenEstimate(0, null);

    public TokenEstimate {
        if (promptTokens < 0) {
            throw new IllegalArgumentException("prompt tokens are at least 0, got " + promptTokens);
        }
        if (maxOutputTokens != null && maxOutputTokens < 0) {
            throw new IllegalArgumentException("max output tokens are at least 0, got " + maxOutputTokens);
        }
    }

    /**
     * The tokens to reserve: the prompt estimate scaled by {@code promptRatio} (what the provider counted per
     * estimated token so far for the model, 1 when unknown), rounded up, plus the answer's maximum or
     * {@code defaultMaxOutput} when the request gives none.
     */
    public long cost(double promptRatio, int defaultMaxOutput) {
        double ratio = promptRatio > 0 && Double.isFinite(promptRatio) ? promptRatio : 1.0;
        long prompt = (long) Math.ceil(promptTokens * ratio);
        return prompt + (maxOutputTokens != null ? maxOutputTokens : defaultMaxOutput);
    }
}
