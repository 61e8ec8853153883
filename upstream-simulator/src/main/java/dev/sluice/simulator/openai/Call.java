package dev.sluice.simulator.openai;

import java.util.List;

/**
 * A validated completion request, its answer prepared up front (building it is cheap and deterministic).
 *
 * @param model the requested model, a known one
 * @param response the full JSON answer
 * @param chunks the server-sent events to stream instead, when the request asked for {@code stream: true};
 *     otherwise null
 * @param tokens what it asks for and what it uses, for the token budget
 */
record Call(String model, Object response, List<Object> chunks, Tokens tokens) {

    /**
     * A request's tokens, as its {@code usage} reports them.
     *
     * @param prompt {@code usage.prompt_tokens}
     * @param completion {@code usage.completion_tokens} (0 for embeddings)
     * @param maxCompletion the completion tokens it asks for at most: {@code max_completion_tokens} or
     *     {@code max_tokens} times the number of choices; null when absent; 0 for embeddings
     * @param choices how many answers it gets (prompts of a completion request), for a default per choice
     */
    record Tokens(int prompt, int completion, Integer maxCompletion, int choices) {

        /** What the provider charges on arrival, {@code defaultMax} per choice standing in for an absent max (0: the answer's length). */
        long requested(int defaultMax) {
            long max =
                    maxCompletion != null ? maxCompletion : defaultMax > 0 ? (long) defaultMax * choices : completion;
            return prompt + max;
        }

        /** What the answer reports using: {@code usage.total_tokens}. */
        long used() {
            return prompt + completion;
        }
    }

    boolean streamed() {
        return chunks != null;
    }
}
