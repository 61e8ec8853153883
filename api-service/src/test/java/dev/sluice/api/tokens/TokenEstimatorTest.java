package dev.sluice.api.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.sluice.common.TokenEstimate;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {

    private static final Encoding O200K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    private static final Encoding CL100K =
            Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

    @Test
    void aChatIsCountedTheWayOpenAiCountsIt() {
        String body = """
                {"model":"openai/gpt-4o-mini","max_tokens":40,"messages":[
                  {"role":"system","content":"You are terse."},
                  {"role":"user","name":"ada","content":"Hello there, how are you?"}]}""";

        TokenEstimate estimate = TokenEstimator.estimate("openai/gpt-4o-mini", body);

        // 3 priming + per message 3 + role + content, + 1 + the name's tokens for a named one.
        int expected = 3
                + 3
                + O200K.countTokens("system")
                + O200K.countTokens("You are terse.")
                + 3
                + O200K.countTokens("user")
                + 1
                + O200K.countTokens("ada")
                + O200K.countTokens("Hello there, how are you?");
        assertThat(estimate).isEqualTo(new TokenEstimate(expected, 40));
        // "Hello there, how are you?" is 7 tokens in o200k_base: the count is the tokenizer's, not a guess.
        assertThat(O200K.countTokens("Hello there, how are you?")).isEqualTo(7);
    }

    @Test
    void eachModelFamilyGetsItsTokenizerAndOthersTheFallback() {
        assertThat(TokenEstimator.encodingFor("gpt-4o")).isSameAs(TokenEstimator.encodingFor("openai/o3-mini"));
        assertThat(TokenEstimator.encodingFor("openai/gpt-4.1-nano").getName()).isEqualTo("o200k_base");
        assertThat(TokenEstimator.encodingFor("openai/gpt-3.5-turbo").getName()).isEqualTo("cl100k_base");
        assertThat(TokenEstimator.encodingFor("text-embedding-3-small").getName())
                .isEqualTo("cl100k_base");
        assertThat(TokenEstimator.encodingFor("anthropic/claude-3-5-haiku")).isNull();
        assertThat(TokenEstimator.encodingFor("meta-llama/gpt-4o-clone")).isNull();

        // No tokenizer fits: one token per four characters of the content, rounded up (the workers learn the rest).
        TokenEstimate fallback = TokenEstimator.estimate(
                "anthropic/claude-3-5-haiku",
                "{\"model\":\"anthropic/claude-3-5-haiku\",\"messages\":[{\"role\":\"user\",\"content\":\"abcdefghij\"}]}");
        assertThat(fallback).isEqualTo(new TokenEstimate(3 + 3 + 1 + 3, null));
    }

    @Test
    void thePreloadLoadsExactlyTheTokenizersTheModelsAreGiven() {
        // The very instances the models are given (the encodings do not override equals), in o200k, cl100k order.
        assertThat(TokenEstimator.preload())
                .containsExactly(TokenEstimator.encodingFor("openai/gpt-5"), TokenEstimator.encodingFor("gpt-4"));
    }

    @Test
    void theAnswersMaximumIsMaxCompletionTokensThenMaxTokensAndEmbeddingsHaveNone() {
        assertThat(TokenEstimator.estimate(
                                "gpt-4o",
                                "{\"max_tokens\":10,\"max_completion_tokens\":99,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                        .maxOutputTokens())
                .isEqualTo(99);
        assertThat(TokenEstimator.estimate("gpt-4o", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                        .maxOutputTokens())
                .isNull();
        // Several answers: each may use the maximum.
        assertThat(TokenEstimator.estimate(
                                "gpt-4o",
                                "{\"n\":3,\"max_tokens\":40,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                        .maxOutputTokens())
                .isEqualTo(120);

        TokenEstimate embedding = TokenEstimator.estimate(
                "openai/text-embedding-3-small", "{\"input\":[\"one two\",\"three\"],\"max_tokens\":5}");
        assertThat(embedding)
                .isEqualTo(new TokenEstimate(CL100K.countTokens("one two") + CL100K.countTokens("three"), 0));
        assertThat(TokenEstimator.estimate("openai/text-embedding-3-small", "{\"input\":[[1,2,3],[4,5]]}"))
                .isEqualTo(new TokenEstimate(5, 0));
    }

    @Test
    void aCompletionCountsItsPromptAndContentPartsCountTheirText() {
        assertThat(TokenEstimator.estimate("gpt-3.5-turbo-instruct", "{\"prompt\":\"Say hi\",\"max_tokens\":16}"))
                .isEqualTo(new TokenEstimate(CL100K.countTokens("Say hi"), 16));
        String parts = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Describe\"}]}]}";
        assertThat(TokenEstimator.estimate("gpt-4o", parts).promptTokens())
                .isEqualTo(3 + 3 + O200K.countTokens("user") + O200K.countTokens("Describe"));
    }
}
