package dev.sluice.worker.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenUsageParsingTest {

    private static final HttpHeaders NO_HEADERS = HttpHeaders.of(Map.of(), (name, value) -> true);

    @Test
    void chatAndTextCompletionsReportAllThreeCounts() {
        assertThat(usageOf("""
                {"object":"text_completion","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":9,"total_tokens":12}}
                """)).isEqualTo(new TokenUsage(3, 9, 12));
    }

    @Test
    void embeddingsReportNoCompletionTokens() {
        assertThat(usageOf("""
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],
                 "model":"openai/text-embedding-3-small","usage":{"prompt_tokens":4,"total_tokens":4}}
                """)).isEqualTo(new TokenUsage(4, null, 4));
    }

    @Test
    void anAnswerWithoutUsageOrWithOddValuesHasNone() {
        assertThat(usageOf("{\"choices\":[]}")).isEqualTo(TokenUsage.NONE);
        assertThat(usageOf("{\"usage\":null}")).isEqualTo(TokenUsage.NONE);
        assertThat(usageOf("{\"usage\":{\"prompt_tokens\":\"many\",\"total_tokens\":1.5}}"))
                .isEqualTo(TokenUsage.NONE);
        assertThat(usageOf("{\"usage\":{\"prompt_tokens\":[1],\"total_tokens\":{\"n\":2}}}"))
                .isEqualTo(TokenUsage.NONE);
        assertThat(usageOf("{\"usage\":{\"prompt_tokens\":3000000000,\"total_tokens\":7}}"))
                .isEqualTo(new TokenUsage(null, null, 7));
    }

    @Test
    void onlyTheTopLevelUsageCountsWhereverItStands() {
        assertThat(usageOf("""
                {"usage":{"prompt_tokens":3,"completion_tokens":9,"total_tokens":12},
                 "choices":[{"message":{"content":"{}"},"usage":{"prompt_tokens":1}}],"nested":{"usage":{"total_tokens":1}}}
                """)).isEqualTo(new TokenUsage(3, 9, 12));
    }

    private static TokenUsage usageOf(String body) {
        return ((Attempt.Success) AttemptClassifier.classify(200, NO_HEADERS, body, Duration.ZERO)).usage();
    }
}
