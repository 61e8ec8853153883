package dev.sluice.db.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CacheKeyTest {

    private static final String CHAT = "/v1/chat/completions";

    @Test
    void keyOrderWhitespaceAndNumberSpellingDoNotChangeTheKey() {
        byte[] key = CacheKey.of(CHAT, """
                {"model":"m","temperature":0,"messages":[{"role":"user","content":"hi"}]}""").orElseThrow();
        byte[] same = CacheKey.of(CHAT, """
                { "messages" : [ {"content":"hi", "role":"user"} ], "temperature": 0.0, "model": "m" }""").orElseThrow();

        assertThat(same).isEqualTo(key).hasSize(32);
    }

    @Test
    void streamingAndNonStreamingCallsShareTheKey() {
        assertThat(CacheKey.of(CHAT, """
                {"model":"m","seed":7,"prompt":"x","stream":true,"stream_options":{"include_usage":true}}"""))
                .get()
                .isEqualTo(CacheKey.of(CHAT, """
                        {"model":"m","seed":7,"prompt":"x"}""").orElseThrow());
    }

    @Test
    void theEndpointTheBodyAndTheContentChangeTheKey() {
        String body = """
                {"model":"m","seed":7,"prompt":"x"}""";
        byte[] key = CacheKey.of(CHAT, body).orElseThrow();

        assertThat(CacheKey.of("/v1/completions", body)).get().isNotEqualTo(key);
        assertThat(CacheKey.of(CHAT, body.replace("\"x\"", "\"y\""))).get().isNotEqualTo(key);
        assertThat(CacheKey.of(CHAT, body.replace("7", "8"))).get().isNotEqualTo(key);
    }

    @Test
    void onlyDeterministicRequestsHaveAKey() {
        assertThat(CacheKey.of("/v1/embeddings", """
                {"model":"e","input":"x"}""")).isPresent();
        assertThat(CacheKey.of(CHAT, """
                {"model":"m","messages":[]}""")).isEmpty();
        assertThat(CacheKey.of(CHAT, """
                {"model":"m","temperature":0.7,"messages":[]}""")).isEmpty();
        assertThat(CacheKey.of(CHAT, """
                {"model":"m","seed":"7","messages":[]}""")).isEmpty();
        assertThat(CacheKey.of(CHAT, "not json")).isEmpty();
    }

    @Test
    void aKeySpelledWithEscapesIsStillRead() {
        // "temperature" and "seed" with their first letter escaped: the text check must not take them for absent.
        byte[] plain = CacheKey.of(CHAT, """
                        {"model":"m","temperature":0,"messages":[]}""").orElseThrow();
        assertThat(CacheKey.of(CHAT, "{\"model\":\"m\",\"\\u0074emperature\":0,\"messages\":[]}"))
                .hasValueSatisfying(key -> assertThat(key).containsExactly(plain));
        assertThat(CacheKey.of(CHAT, "{\"model\":\"m\",\"\\u0073eed\":7,\"messages\":[]}"))
                .isPresent();
    }

    @Test
    void aNumberBeyondADoubleMakesTheRequestUncacheableInsteadOfFailing() {
        assertThat(CacheKey.of("/v1/embeddings", """
                {"model":"e","input":"x","dimensions":1e400}""")).isEmpty();
        assertThat(CacheKey.of(CHAT, """
                {"model":"m","temperature":0,"top_p":-1e400,"messages":[]}""")).isEmpty();
    }
}
