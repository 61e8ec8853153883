package dev.sluice.simulator.openai;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/completions} (when enabled): validation and the {@code text_completion} answer. */
final class TextCompletions {

    record TextCompletion(
            String id, String object, long created, String model, List<Choice> choices, ChatCompletions.Usage usage) {}

    record Choice(String text, int index, Object logprobs, String finishReason) {}

    private TextCompletions() {}

    /** Validates {@code body} and prepares the answer: one choice per prompt. */
    static Call call(JsonNode body, long created, List<String> extraModels) {
        String model = Requests.model(body, extraModels);
        List<String> prompts = Inputs.strings(body, "prompt");
        boolean stream = Requests.stream(body);
        Integer maxTokens = Requests.maxTokens(body);
        List<Choice> choices = new ArrayList<>();
        int promptTokens = 0;
        int completionTokens = 0;
        for (String prompt : prompts) {
            String text = Content.reply(prompt, maxTokens);
            choices.add(new Choice(text, choices.size(), null, Content.finishReason(prompt, maxTokens)));
            promptTokens += Content.words(prompt);
            completionTokens += Content.words(text);
        }
        String id = Requests.id("cmpl-");
        TextCompletion answer = new TextCompletion(
                id,
                "text_completion",
                created,
                model,
                choices,
                new ChatCompletions.Usage(promptTokens, completionTokens, promptTokens + completionTokens));
        // Streamed, a completion is one event per choice, each already finished, like OpenAI's last events.
        List<Object> chunks = stream
                ? choices.stream()
                        .<Object>map(c -> new TextCompletion(id, "text_completion", created, model, List.of(c), null))
                        .toList()
                : null;
        Integer maxCompletion =
                maxTokens == null ? null : (int) Math.min((long) maxTokens * prompts.size(), Integer.MAX_VALUE);
        return new Call(
                model, answer, chunks, new Call.Tokens(promptTokens, completionTokens, maxCompletion, prompts.size()));
    }
}
