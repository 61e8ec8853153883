package dev.sluice.api.facade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Endpoint;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ChunksTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String ANSWER = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"m",
             "choices":[{"index":0,"message":{"role":"assistant","content":"The sluice gate opens slowly at dawn, and the water rises."},
                         "finish_reason":"stop"}],
             "usage":{"prompt_tokens":3,"completion_tokens":12,"total_tokens":15}}""";

    @Test
    void chatChunksRebuildTheAnswerAndEndWithDone() {
        String stream = Chunks.of(Endpoint.CHAT_COMPLETIONS, JSON.readTree(ANSWER), true);
        List<String> data = events(stream);

        assertThat(data.getLast()).isEqualTo("[DONE]");
        List<JsonNode> chunks =
                data.subList(0, data.size() - 1).stream().map(JSON::readTree).toList();
        assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.get("object").asString()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.get("id").asString()).isEqualTo("chatcmpl-1");
        });
        assertThat(chunks.getFirst().at("/choices/0/delta/role").asString()).isEqualTo("assistant");
        StringBuilder content = new StringBuilder();
        chunks.forEach(chunk -> chunk.path("choices")
                .forEach(c -> content.append(c.at("/delta/content").asString(""))));
        assertThat(content.toString()).isEqualTo("The sluice gate opens slowly at dawn, and the water rises.");
        assertThat(chunks.size()).isGreaterThan(4);
        JsonNode usage = chunks.getLast();
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/total_tokens").asInt()).isEqualTo(15);
        assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asString())
                .isEqualTo("stop");
    }

    @Test
    void withoutIncludeUsageThereIsNoUsageChunk() {
        List<String> data = events(Chunks.of(Endpoint.CHAT_COMPLETIONS, JSON.readTree(ANSWER), false));

        assertThat(data.subList(0, data.size() - 1)).noneMatch(event -> event.contains("\"usage\""));
    }

    @Test
    void piecesNeverLoseOrSplitCharacters() {
        String text = "a".repeat(23) + "\uD83D\uDE00" + " word ".repeat(10);
        assertThat(String.join("", Chunks.pieces(text))).isEqualTo(text);
        assertThat(Chunks.pieces(text)).noneMatch(piece -> Character.isHighSurrogate(piece.charAt(piece.length() - 1)));
        assertThat(Chunks.pieces("")).containsExactly("");
    }

    private static List<String> events(String stream) {
        return Arrays.stream(stream.split("\n\n"))
                .map(event -> event.substring("data: ".length()))
                .toList();
    }
}
