package dev.sluice.worker.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.worker.upstream.Attempt;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class AnswerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void chatChunksAddUpToTheChatCompletionANonStreamingCallReturns() {
        Answer answer = new Answer();
        assertThat(answer.add(chunk("{\"role\":\"assistant\",\"content\":\"\"}", null)))
                .isTrue();
        assertThat(answer.add(chunk("{\"content\":\"Hello\"}", null))).isTrue();
        assertThat(answer.add(chunk("{\"content\":\" world\"}", null))).isTrue();
        assertThat(answer.add(chunk("{}", "\"stop\""))).isTrue();
        assertThat(answer.add(JSON.readTree("""
                {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],
                 "usage":{"prompt_tokens":2,"completion_tokens":2,"total_tokens":4}}"""))).isTrue();

        Attempt.Success success = (Attempt.Success) answer.toAttempt(Duration.ofMillis(5));

        JsonNode body = JSON.readTree(success.body());
        assertThat(body.get("object").asString()).isEqualTo("chat.completion");
        assertThat(body.at("/choices/0/message/content").asString()).isEqualTo("Hello world");
        assertThat(body.at("/choices/0/message/role").asString()).isEqualTo("assistant");
        assertThat(body.at("/choices/0/finish_reason").asString()).isEqualTo("stop");
        assertThat(success.usage().totalTokens()).isEqualTo(4);
        assertThat(answer.chunks()).isEqualTo(5);
    }

    @Test
    void somethingThatIsNotAChunkBreaksTheStream() {
        Answer answer = new Answer();
        assertThat(answer.add(JSON.readTree("{\"error\":{\"message\":\"boom\"}}")))
                .isFalse();
        assertThat(answer.add(JSON.readTree("{\"object\":\"chat.completion.chunk\",\"choices\":{}}")))
                .isFalse();
        assertThat(answer.add(chunk("{\"content\":\"a\"}", null))).isTrue();
        assertThat(answer.add(JSON.readTree("{\"object\":\"text_completion\",\"choices\":[]}")))
                .isFalse();
    }

    @Test
    void aStreamWithoutChunksIsNoAnswer() {
        assertThat(new Answer().toAttempt(Duration.ZERO)).isInstanceOf(Attempt.Transient.class);
    }

    private static JsonNode chunk(String delta, String finishReason) {
        return JSON.readTree("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finishReason + "}]}");
    }
}
