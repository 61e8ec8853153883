package dev.sluice.simulator.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.simulator.http.Json;
import org.junit.jupiter.api.Test;

class ContentTest {

    @Test
    void repliesEchoTheText() {
        assertThat(Content.reply("hello there")).isEqualTo("echo: hello there");
    }

    @Test
    void tokensAreWords() {
        assertThat(Content.words("")).isZero();
        assertThat(Content.words("  echo:  hello\tthere\n")).isEqualTo(3);
    }

    @Test
    void embeddingsAreDeterministicUnitVectors() {
        float[] a = Content.embedding("hello", 8);
        assertThat(a).hasSize(8).isEqualTo(Content.embedding("hello", 8));
        assertThat(Content.embedding("hello!", 8)).isNotEqualTo(a);
        double norm = 0;
        for (float v : a) {
            norm += v * v;
        }
        assertThat(norm).isCloseTo(1.0, within(1e-5));
        assertThat(Content.embedding("hello", 256)).hasSize(256);
    }

    @Test
    void messageTextJoinsTextParts() {
        var parts = Json.MAPPER.readTree("""
                [{"type": "text", "text": "look at"}, {"type": "image_url", "image_url": {"url": "x"}},
                 {"type": "text", "text": "this"}]""");
        assertThat(Content.text(parts)).isEqualTo("look at this");
        assertThat(Content.text(Json.MAPPER.readTree("\"plain\""))).isEqualTo("plain");
        assertThat(Content.text(null)).isEmpty();
    }

    @Test
    void chatAnswersTheLastUserMessage() {
        var body = Json.MAPPER.readTree("""
                {"model": "openai/gpt-4o-mini", "messages": [
                  {"role": "system", "content": "be brief"}, {"role": "user", "content": "first"},
                  {"role": "assistant", "content": "echo: first"}, {"role": "user", "content": "second one"}]}""");
        var answer =
                (ChatCompletions.ChatCompletion) ChatCompletions.call(body, 1L).response();
        assertThat(answer.choices().getFirst().message().content()).isEqualTo("echo: second one");
        // prompt: 2 + 1 + 2 + 2 words; completion: "echo: second one"
        assertThat(answer.usage()).isEqualTo(new ChatCompletions.Usage(7, 3, 10));
    }

    @Test
    void maxTokensCutsTheReplyAfterThatManyWords() {
        assertThat(Content.reply("one two  three", 3)).isEqualTo("echo: one two");
        assertThat(Content.finishReason("one two  three", 3)).isEqualTo("length");
        assertThat(Content.reply("one two  three", 4)).isEqualTo("echo: one two  three");
        assertThat(Content.finishReason("one two  three", 4)).isEqualTo("stop");
        assertThat(Content.reply("one two", null)).isEqualTo("echo: one two");
    }
}
