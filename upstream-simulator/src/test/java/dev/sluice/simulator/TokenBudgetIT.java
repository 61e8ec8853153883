package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorClient.KEY;
import static dev.sluice.simulator.SimulatorClient.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.simulator.stats.ModelStats;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The token budget and the extra request window over real HTTP, on a clock the test ticks. */
class TokenBudgetIT {

    private static final Duration W = Duration.ofSeconds(10);

    /** "be brief" + "hello there": 4 prompt tokens; the answer "echo: hello there" is 3. */
    private static String chat(Integer maxTokens) {
        String body = SimulatorClient.chatBody(MODEL, "hello there");
        return maxTokens == null ? body : body.substring(0, body.length() - 1) + ", \"max_tokens\": " + maxTokens + "}";
    }

    private static HttpResponse<String> post(SimulatorClient client, String body) {
        return client.send(client.post("/v1/chat/completions", KEY, body));
    }

    @Test
    void aTpm429SaysWhatOpenAiSaysAndTheHeadersCountTokens() {
        SettableClock clock = SettableClock.alignedTo(W);
        SimulatorConfig config = SimulatorConfig.forTests()
                .withLimit("none")
                .withTpm(100)
                .withTpmWindow(W)
                .withRetryAfter(true);
        try (Simulator sim = Simulator.start(config, clock)) {
            SimulatorClient client = new SimulatorClient(sim);
            HttpResponse<String> first = post(client, chat(40));
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(SimulatorClient.json(first)
                            .get("usage")
                            .get("total_tokens")
                            .intValue())
                    .isEqualTo(7);
            // Charged 4 + 40 on arrival; the headers show the budget after that charge.
            assertThat(first.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("100");
            assertThat(first.headers().firstValue("x-ratelimit-remaining-tokens"))
                    .hasValue("56");
            assertThat(first.headers().firstValue("x-ratelimit-reset-tokens")).hasValue("10s");
            assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();

            clock.advance(Duration.ofSeconds(2));
            // The first answer corrected its charge to its usage, 7: 7 + 44 now.
            assertThat(post(client, chat(40)).headers().firstValue("x-ratelimit-remaining-tokens"))
                    .hasValue("49");

            clock.advance(Duration.ofSeconds(1));
            HttpResponse<String> limited = post(client, chat(90));
            assertThat(limited.statusCode()).isEqualTo(429);
            JsonNode error = SimulatorClient.json(limited).get("error");
            // 14 used, 94 asked for: 8 must leave, the first 7 at 10 s and the next 7 at 12 s, 9 s from now.
            assertThat(error.get("message").stringValue())
                    .isEqualTo("Rate limit reached for openai/gpt-4o-mini in "
                            + "organization org-sim on tokens per 10s (TPM): Limit 100, Used 14, Requested 94. Please try "
                            + "again in 9s. Visit https://platform.openai.com/account/rate-limits to learn more.");
            assertThat(error.get("type").stringValue()).isEqualTo("tokens");
            assertThat(error.get("code").stringValue()).isEqualTo("rate_limit_exceeded");
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("9");
            assertThat(limited.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("100");
            assertThat(limited.headers().firstValue("x-ratelimit-remaining-tokens"))
                    .hasValue("86");
            assertThat(limited.headers().firstValue("x-ratelimit-reset-tokens")).hasValue("9s");

            HttpResponse<String> tooLarge = post(client, chat(200));
            assertThat(tooLarge.statusCode()).isEqualTo(429);
            assertThat(SimulatorClient.json(tooLarge)
                            .get("error")
                            .get("message")
                            .stringValue())
                    .isEqualTo(
                            "Request too large for openai/gpt-4o-mini in organization org-sim on tokens per 10s (TPM): "
                                    + "Limit 100, Requested 204. The input or output tokens must be reduced in order to run "
                                    + "successfully. Visit https://platform.openai.com/account/rate-limits to learn more.");
            assertThat(tooLarge.headers().firstValue("Retry-After")).isEmpty();

            ModelStats stats = sim.stats().model(MODEL);
            assertThat(stats.rateLimited()).isEqualTo(2);
            assertThat(stats.rateLimitedTokens()).isEqualTo(2);
            assertThat(stats.rateLimitedRequests()).isZero();
            assertThat(stats.tokensUsed()).isEqualTo(14);
            assertThat(stats.tokensCharged()).isEqualTo(14);
            assertThat(stats.maxTokensInAnyWindow()).isEqualTo(14);
            assertThat(stats.maxInAnyWindow()).isNull();
            JsonNode json = SimulatorClient.json(client.get("/__stats", null));
            assertThat(json.get("token_limit").stringValue()).isEqualTo("100/10s");
            assertThat(json.get("models").get(MODEL).get("rate_limited_tokens").intValue())
                    .isEqualTo(2);
            assertThat(json.get("totals").get("tokens_used").intValue()).isEqualTo(14);
        }
    }

    @Test
    void withoutMaxTokensItChargesTheDefaultOrTheAnswersLength() {
        SettableClock clock = SettableClock.alignedTo(W);
        SimulatorConfig config = SimulatorConfig.forTests()
                .withLimit("none")
                .withTpm(100)
                .withTpmWindow(W)
                .withRetryAfter(true)
                .withEmbeddings(true);
        try (Simulator sim = Simulator.start(config, clock)) {
            SimulatorClient client = new SimulatorClient(sim);
            assertThat(post(client, chat(null)).headers().firstValue("x-ratelimit-remaining-tokens"))
                    .hasValue("93");
            sim.reset();
            sim.update(c -> c.withDefaultMaxTokens(16));
            assertThat(post(client, chat(null)).headers().firstValue("x-ratelimit-remaining-tokens"))
                    .hasValue("80");
            sim.reset();
            // Embeddings: input only, whatever max_tokens says.
            HttpResponse<String> embedded = client.send(client.post(
                    "/v1/embeddings",
                    KEY,
                    "{\"model\": \"%s\", \"input\": \"a b c\", \"max_tokens\": 50}".formatted(MODEL)));
            assertThat(embedded.headers().firstValue("x-ratelimit-remaining-tokens"))
                    .hasValue("97");
        }
    }

    @Test
    void anAnswerStopsAtMaxTokensSoTheCorrectionIsARefund() {
        SettableClock clock = SettableClock.alignedTo(W);
        SimulatorConfig config = SimulatorConfig.forTests()
                .withLimit("none")
                .withTpm(100)
                .withTpmWindow(W)
                .withRetryAfter(true);
        try (Simulator sim = Simulator.start(config, clock)) {
            SimulatorClient client = new SimulatorClient(sim);
            JsonNode answer = SimulatorClient.json(post(client, chat(2)));
            assertThat(answer.get("choices")
                            .get(0)
                            .get("message")
                            .get("content")
                            .stringValue())
                    .isEqualTo("echo: hello");
            assertThat(answer.get("choices").get(0).get("finish_reason").stringValue())
                    .isEqualTo("length");
            assertThat(answer.get("usage").get("completion_tokens").intValue()).isEqualTo(2);
            assertThat(sim.stats().model(MODEL).tokensCharged()).isEqualTo(6);
        }
    }

    @Test
    void aBadMaxTokensIsA400AndUsesNoBudget() {
        try (Simulator sim = Simulator.start(SimulatorConfig.forTests().withTpm(100))) {
            SimulatorClient client = new SimulatorClient(sim);
            HttpResponse<String> bad = post(client, chat(0));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(SimulatorClient.json(bad).get("error").get("param").stringValue())
                    .isEqualTo("max_tokens");
            assertThat(sim.stats().model(MODEL).requests()).isZero();
        }
    }

    @Test
    void theExtraWindowRefusesInTheSeedProvidersWordsNamingItsOwnLimit() {
        SettableClock clock = SettableClock.alignedTo(W);
        SimulatorConfig config = SimulatorConfig.forTests().withLimit("2/10s").withExtraLimit("3/1d");
        try (Simulator sim = Simulator.start(config, clock)) {
            SimulatorClient client = new SimulatorClient(sim);
            assertThat(client.burst(2, client.chatRequest(KEY, MODEL))).containsOnly(200);
            HttpResponse<String> byMinute = client.chat(KEY, MODEL);
            assertThat(SimulatorClient.json(byMinute)
                            .get("error")
                            .get("message")
                            .stringValue())
                    .isEqualTo("Rate limit of 2 per 10s exceeded for UserByModelByMinute");

            clock.advance(W);
            assertThat(client.chat(KEY, MODEL).statusCode()).isEqualTo(200);
            HttpResponse<String> byDay = client.chat(KEY, MODEL);
            assertThat(byDay.statusCode()).isEqualTo(429);
            JsonNode error = SimulatorClient.json(byDay).get("error");
            assertThat(error.get("message").stringValue())
                    .isEqualTo("Rate limit of 3 per 86400s exceeded for UserByModelByDay");
            assertThat(error.get("type").stringValue()).isEqualTo("requests");

            ModelStats stats = sim.stats().model(MODEL);
            assertThat(stats.maxInAnyExtraWindow()).isEqualTo(3);
            assertThat(stats.maxInAnyWindow()).isEqualTo(2);
            assertThat(stats.rateLimitedRequests()).isEqualTo(2);
            assertThat(sim.stats().extraLimit()).isEqualTo("3/86400s");
        }
    }

    @Test
    void theNewLimitsAreSettableAtRunTime() {
        try (Simulator sim = Simulator.start(SimulatorConfig.forTests())) {
            SimulatorClient client = new SimulatorClient(sim);
            HttpResponse<String> put = client.putConfig(
                    "{\"tpm\": 30000, \"tpm_window\": \"1m\", \"extra_limit\": \"1000/1d\", \"default_max_tokens\": 8}");
            assertThat(put.statusCode()).isEqualTo(200);
            JsonNode settings = SimulatorClient.json(client.get("/__config", null));
            assertThat(settings.get("tpm").longValue()).isEqualTo(30_000);
            assertThat(settings.get("tpm_window").stringValue()).isEqualTo("60s");
            assertThat(settings.get("extra_limit").stringValue()).isEqualTo("1000/86400s");
            assertThat(settings.get("default_max_tokens").intValue()).isEqualTo(8);
            assertThat(sim.stats().tokenLimit()).isEqualTo("30000/60s");

            HttpResponse<String> bad = client.putConfig("{\"tpm_window\": \"soon\"}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(SimulatorClient.json(bad).get("error").get("message").stringValue())
                    .startsWith("tpm_window: ");
            assertThat(client.putConfig("{\"tpm\": \"none\"}").statusCode()).isEqualTo(200);
            assertThat(sim.config().tokenLimit().isUnlimited()).isTrue();
        }
    }
}
