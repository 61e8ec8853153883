package dev.sluice.simulator.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.simulator.limit.Admission;
import dev.sluice.simulator.limit.WindowState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {

    @Test
    void formatsDurationsAsOpenAiDoes() {
        assertThat(RateLimitHeaders.format(Duration.ofMillis(850))).isEqualTo("850ms");
        assertThat(RateLimitHeaders.format(Duration.ofNanos(1))).isEqualTo("1ms");
        assertThat(RateLimitHeaders.format(Duration.ofSeconds(12))).isEqualTo("12s");
        assertThat(RateLimitHeaders.format(Duration.ofMillis(6_500))).isEqualTo("6.5s");
        assertThat(RateLimitHeaders.format(Duration.ofSeconds(60))).isEqualTo("1m0s");
        assertThat(RateLimitHeaders.format(Duration.ofMillis(90_250))).isEqualTo("1m30.25s");
        assertThat(RateLimitHeaders.format(Duration.ofHours(1))).isEqualTo("1h0m0s");
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUp() {
        var requests = new WindowState(15, Duration.ofSeconds(60), 15, 0, Duration.ofSeconds(59));
        var rejected = new Admission.Rejected(
                Instant.EPOCH, Admission.Refusal.REQUESTS, requests, null, null, Duration.ofMillis(6_200), 0);
        assertThat(RateLimitHeaders.of(rejected))
                .containsOnlyKeys(
                        "Retry-After",
                        "x-ratelimit-limit-requests",
                        "x-ratelimit-remaining-requests",
                        "x-ratelimit-reset-requests")
                .containsEntry("Retry-After", "7")
                .containsEntry("x-ratelimit-limit-requests", "15")
                .containsEntry("x-ratelimit-remaining-requests", "0")
                .containsEntry("x-ratelimit-reset-requests", "59s");
        assertThat(RateLimitHeaders.of(new Admission.Unmetered(Instant.EPOCH))).isEmpty();
    }

    @Test
    void tokenHeadersCarryTheBudgetAfterTheCharge() {
        var tokens = new WindowState(30_000, Duration.ofSeconds(60), 1_250, 28_750, Duration.ofMillis(59_500));
        var admitted = new Admission.Admitted(Instant.EPOCH, null, null, tokens, null);
        assertThat(RateLimitHeaders.of(admitted))
                .containsOnly(
                        Map.entry("x-ratelimit-limit-tokens", "30000"),
                        Map.entry("x-ratelimit-remaining-tokens", "28750"),
                        Map.entry("x-ratelimit-reset-tokens", "59.5s"));
    }

    @Test
    void aRequestThatCanNeverFitGetsNoRetryAfter() {
        var tokens = new WindowState(1_000, Duration.ofSeconds(60), 0, 1_000, Duration.ZERO);
        var rejected = new Admission.Rejected(Instant.EPOCH, Admission.Refusal.TOKENS, null, null, tokens, null, 1_500);
        assertThat(RateLimitHeaders.of(rejected))
                .doesNotContainKey("Retry-After")
                .containsEntry("x-ratelimit-remaining-tokens", "1000")
                .containsEntry("x-ratelimit-reset-tokens", "0ms");
    }
}
