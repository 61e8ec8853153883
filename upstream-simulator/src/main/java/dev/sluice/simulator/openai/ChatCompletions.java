package dev.sluice.simulator.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/chat/completions}: validation and the {@code chat.completion} answer. */
final class ChatCompletions {

    record ChatCompletion(String id, String object, long created, String model, List<Choice> choices, Usage usage) {}

    record Choice(int index, Message message, Object logprobs, String finishReason) {}

    record Message(String role, String content) {}

    record Usage(int promptTokens, int completionTokens, int totalTokens) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Chunk(String id, String object, long created, String model, List<ChunkChoice> choices, Usage usage) {}

    record ChunkChoice(int index, Delta delta, Object logprobs, String finishReason) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String role, String content) {}

    private ChatCompletions() {}

    /** Validates {@code body} and prepares the answer, created at {@code created} (epoch seconds). */
    static Call call(JsonNode body, long created) {
        return call(body, created, List.of());
    }

    /** As {@link #call(JsonNode, long)}, also serving {@code extraModels}. */
    static Call call(JsonNode body, long created, List<String> extraModels) {
        String model = Requests.model(body, extraModels);
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
            throw InvalidRequest.missing("messages");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw InvalidRequest.invalid("messages", "expected a non-empty array of messages.");
        }
        String lastUser = null;
        String last = "";
        int promptTokens = 0;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            JsonNode role = message.get("role");
            if (!message.isObject() || role == null || !role.isString()) {
                throw InvalidRequest.invalid("messages[" + i + "]", "expected an object with a string 'role'.");
            }
            last = Content.text(message.get("content"));
            promptTokens += Content.words(last);
            if (role.stringValue().equals("user")) {
                lastUser = last;
            }
        }
        boolean stream = Requests.stream(body);
        Integer maxTokens = Requests.maxTokens(body);
        String replyTo = lastUser != null ? lastUser : last;
        String content = Content.reply(replyTo, maxTokens);
        String finishReason = Content.finishReason(replyTo, maxTokens);
        int completionTokens = Content.words(content);
        Usage usage = new Usage(promptTokens, completionTokens, promptTokens + completionTokens);
        String id = Requests.id("chatcmpl-");
        ChatCompletion answer = new ChatCompletion(
                id,
                "chat.completion",
                created,
                model,
                List.of(new Choice(0, new Message("assistant", content), null, finishReason)),
                usage);
        List<Object> chunks =
                stream ? chunks(id, created, model, content, finishReason, usage, includeUsage(body)) : null;
        return new Call(model, answer, chunks, new Call.Tokens(promptTokens, completionTokens, maxTokens, 1));
    }

    /** OpenAI's shape: a role-only delta, one delta per word, a finish delta, then usage if asked for. */
    private static List<Object> chunks(
            String id,
            long created,
            String model,
            String content,
            String finishReason,
            Usage usage,
            boolean includeUsage) {
        List<Object> chunks = new ArrayList<>();
        chunks.add(chunk(id, created, model, new Delta("assistant", ""), null));
        String[] words = content.split(" ");
        for (int i = 0; i < words.length; i++) {
            chunks.add(chunk(id, created, model, new Delta(null, i == 0 ? words[i] : " " + words[i]), null));
        }
        chunks.add(chunk(id, created, model, new Delta(null, null), finishReason));
        if (includeUsage) {
            chunks.add(new Chunk(id, "chat.completion.chunk", created, model, List.of(), usage));
        }
        return chunks;
    }

    private static Chunk chunk(String id, long created, String model, Delta delta, String finishReason) {
        return new Chunk(
                id,
                "chat.completion.chunk",
                created,
                model,
                List.of(new ChunkChoice(0, delta, null, finishReason)),
                null);
    }

    private static boolean includeUsage(JsonNode body) {
        JsonNode options = body.get("stream_options");
        return options != null && options.path("include_usage").asBoolean(false);
    }
}
