package dev.sluice.worker.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttemptClassifierTest {

    private static final Duration LATENCY = Duration.ofMillis(950);
    private static final HttpHeaders NO_HEADERS = headers(Map.of());

    private static final String CHAT_ANSWER = """
            {"id":"chatcmpl-1","object":"chat.completion","model":"openai/gpt-4o-mini",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}
            """;

    private static final String SEED_429 = """
            {"error":{"message":"Rate limit of 15 per 60s exceeded for UserByModelByMinute","type":"requests",\
            "param":null,"code":"rate_limit_exceeded"}}""";

    @Test
    void a200WithJsonIsASuccessKeepingTheBodyAsReceived() {
        Attempt attempt = AttemptClassifier.classify(200, NO_HEADERS, CHAT_ANSWER, LATENCY);

        assertThat(attempt).isInstanceOfSatisfying(Attempt.Success.class, success -> {
            assertThat(success.status()).isEqualTo(200);
            assertThat(success.body()).isEqualTo(CHAT_ANSWER);
            assertThat(success.usage()).isEqualTo(new TokenUsage(12, 5, 17));
            assertThat(success.latency()).isEqualTo(LATENCY);
        });
    }

    @Test
    void theSeedProviders429TeachesItsLimit() {
        Attempt attempt = AttemptClassifier.classify(429, NO_HEADERS, SEED_429, LATENCY);

        assertThat(attempt).isInstanceOfSatisfying(Attempt.RateLimited.class, limited -> {
            assertThat(limited.learnedLimit()).contains(Limit.parse("15/60s"));
            assertThat(limited.retryAfter()).isEmpty();
        });
    }

    @Test
    void a429WithoutTheTextStillCountsAsRateLimitedAndReadsRetryAfter() {
        Attempt attempt = AttemptClassifier.classify(
                429, headers(Map.of("Retry-After", "7")), "{\"error\":{\"message\":\"slow down\"}}", LATENCY);

        assertThat(attempt).isInstanceOfSatisfying(Attempt.RateLimited.class, limited -> {
            assertThat(limited.learnedLimit()).isEmpty();
            assertThat(limited.retryAfter()).contains(Duration.ofSeconds(7));
        });
    }

    @Test
    void openAisResetHeaderIsTheFallbackForTheWait() {
        Attempt attempt =
                AttemptClassifier.classify(429, headers(Map.of("x-ratelimit-reset-requests", "1m0.5s")), "", LATENCY);

        assertThat(((Attempt.RateLimited) attempt).retryAfter()).contains(Duration.ofMillis(60_500));
    }

    @Test
    void theLimitHeaderTeachesNAtTheWindowInForceWhenTheTextSaysNothing() {
        Attempt.RateLimited headerOnly = (Attempt.RateLimited) AttemptClassifier.classify(
                429, headers(Map.of("x-ratelimit-limit-requests", "10")), "{\"error\":{}}", LATENCY);
        Attempt.RateLimited withText = (Attempt.RateLimited) AttemptClassifier.classify(
                429,
                headers(Map.of("x-ratelimit-limit-requests", "10")),
                "Rate limit of 15 per 60s exceeded for UserByModelByMinute",
                LATENCY);
        Attempt.RateLimited garbage = (Attempt.RateLimited)
                AttemptClassifier.classify(429, headers(Map.of("x-ratelimit-limit-requests", "lots")), "", LATENCY);

        assertThat(headerOnly.teaches(set("20/60s"))).contains(Limit.parse("10/60s"));
        assertThat(headerOnly.teaches(set("5/60s"))).isEmpty();
        assertThat(withText.teaches(set("20/60s"))).contains(Limit.parse("15/60s"));
        assertThat(garbage.teaches(set("20/60s"))).isEmpty();
    }

    @Test
    void openAisTpm429TeachesATokenLimitAndNeverARequestOne() {
        String body = "{\"error\":{\"message\":\"Rate limit reached for gpt-4o-mini in organization org-x on tokens per"
                + " min (TPM): Limit 3000, Used 2900, Requested 240. Please try again in 2.8s.\",\"type\":\"tokens\","
                + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}";
        Attempt.RateLimited tpm = (Attempt.RateLimited) AttemptClassifier.classify(
                429,
                headers(Map.of("x-ratelimit-limit-requests", "5", "x-ratelimit-limit-tokens", "3000")),
                body,
                LATENCY);

        assertThat(tpm.names()).contains(Limit.Unit.TOKENS);
        assertThat(tpm.retryAfter()).contains(Duration.ofMillis(2_800));
        assertThat(tpm.teaches(set("15/60s"))).contains(Limit.parse("3000 tokens/60s"));
        assertThat(tpm.teaches(set("15/60s", "2000 tokens/60s"))).isEmpty();
    }

    @Test
    void aTokenHeaderTeachesAtTheTokenWindowInForceAndTheResetOfTheKindNamedIsTheWait() {
        Attempt.RateLimited tokens = (Attempt.RateLimited) AttemptClassifier.classify(
                429,
                headers(Map.of(
                        "x-ratelimit-limit-requests", "5",
                        "x-ratelimit-limit-tokens", "2500",
                        "x-ratelimit-reset-requests", "1s",
                        "x-ratelimit-reset-tokens", "4.5s")),
                "{\"error\":{\"type\":\"tokens\",\"message\":\"slow down\"}}",
                LATENCY);

        assertThat(tokens.retryAfter()).contains(Duration.ofMillis(4_500));
        assertThat(tokens.teaches(set("15/60s", "3000 tokens/6s"))).contains(Limit.parse("2500 tokens/6s"));
        assertThat(tokens.teaches(set("15/60s"))).contains(Limit.parse("2500 tokens/60s"));
    }

    @Test
    void aRequestTooLargeForAnyWindowIsPermanent() {
        String body = "{\"error\":{\"message\":\"Request too large for gpt-4o in organization org-x on tokens per min"
                + " (TPM): Limit 3000, Requested 9000.\",\"type\":\"tokens\"}}";

        assertThat(AttemptClassifier.classify(429, NO_HEADERS, body, LATENCY)).isInstanceOf(Attempt.Permanent.class);
    }

    private static LimitSet set(String... limits) {
        return LimitSet.configured(
                java.util.Arrays.stream(limits).map(Limit::parse).toArray(Limit[]::new));
    }

    @Test
    void goStyleDurationsParseAndGarbageDoesNot() {
        assertThat(RateLimitSignals.goDuration("850ms")).contains(Duration.ofMillis(850));
        assertThat(RateLimitSignals.goDuration("6.5s")).contains(Duration.ofMillis(6_500));
        assertThat(RateLimitSignals.goDuration("1h2m3s")).contains(Duration.ofSeconds(3_723));
        assertThat(RateLimitSignals.goDuration("soon")).isEmpty();
        assertThat(RateLimitSignals.goDuration("5s later")).isEmpty();
    }

    @Test
    void a500IsTransientAndKeepsTheAnswer() {
        String body = "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}";

        Attempt attempt = AttemptClassifier.classify(500, NO_HEADERS, body, LATENCY);

        assertThat(attempt).isInstanceOfSatisfying(Attempt.Transient.class, failure -> {
            assertThat(failure.status()).isEqualTo(500);
            assertThat(failure.body()).isEqualTo(body);
            assertThat(failure.errorCode()).isNull();
        });
    }

    @Test
    void otherServerErrorsAndTheProvidersTryAgainStatusesAreTransient() {
        for (int status : List.of(502, 503, 504, 408, 409)) {
            assertThat(AttemptClassifier.classify(status, NO_HEADERS, "", LATENCY))
                    .as("HTTP %d", status)
                    .isInstanceOf(Attempt.Transient.class);
        }
    }

    @Test
    void aServerErrorCarriesTheRetryAfterItAskedFor() {
        Attempt.Transient busy =
                (Attempt.Transient) AttemptClassifier.classify(503, headers(Map.of("retry-after", "30")), "", LATENCY);
        Attempt.Transient silent = (Attempt.Transient) AttemptClassifier.classify(503, NO_HEADERS, "", LATENCY);

        assertThat(busy.retryAfter()).contains(Duration.ofSeconds(30));
        assertThat(silent.retryAfter()).isEmpty();
    }

    @Test
    void a400IsPermanentAndKeepsTheProvidersBody() {
        String body =
                "{\"error\":{\"message\":\"The model `acme/nope` does not exist\",\"type\":\"invalid_request_error\"}}";

        Attempt attempt = AttemptClassifier.classify(400, NO_HEADERS, body, LATENCY);

        assertThat(attempt).isEqualTo(new Attempt.Permanent(400, body, LATENCY));
    }

    @Test
    void otherClientErrorsArePermanent() {
        for (int status : List.of(401, 403, 404, 413, 422)) {
            assertThat(AttemptClassifier.classify(status, NO_HEADERS, "nope", LATENCY))
                    .as("HTTP %d", status)
                    .isInstanceOf(Attempt.Permanent.class);
        }
    }

    @Test
    void a200WithATruncatedBodyIsTransientWithoutAResponse() {
        String truncated = CHAT_ANSWER.substring(0, CHAT_ANSWER.length() / 2);

        Attempt attempt = AttemptClassifier.classify(200, NO_HEADERS, truncated, LATENCY);

        assertThat(attempt).isInstanceOfSatisfying(Attempt.Transient.class, failure -> {
            assertThat(failure.status()).isNull();
            assertThat(failure.errorCode()).isEqualTo(Attempt.Transient.UPSTREAM_UNREACHABLE);
        });
    }

    @Test
    void a200ThatIsNotAJsonObjectIsTransient() {
        for (String body : List.of(
                "<html>Bad gateway</html>",
                "",
                "[1,2]",
                "\"text\"",
                CHAT_ANSWER + " trailing",
                CHAT_ANSWER + CHAT_ANSWER,
                "{\"usage\":{\"prompt_tokens\":3}")) {
            assertThat(AttemptClassifier.classify(200, NO_HEADERS, body, LATENCY))
                    .as("body %s", body)
                    .isInstanceOf(Attempt.Transient.class);
        }
    }

    private static HttpHeaders headers(Map<String, String> values) {
        return HttpHeaders.of(
                values.entrySet().stream()
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))),
                (name, value) -> true);
    }
}
