package dev.sluice.simulator.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.simulator.limit.Admission;
import dev.sluice.simulator.limit.Limit;
import java.time.Duration;
import java.time.Instant;
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
        var rejected = new Admission.Rejected(Instant.EPOCH, Limit.parse("15/60s"), Duration.ofMillis(6_200),
                Duration.ofSeconds(59));
        assertThat(RateLimitHeaders.of(rejected))
                .containsEntry("Retry-After", "7")
                .containsEntry("x-ratelimit-limit-requests", "15")
                .containsEntry("x-ratelimit-remaining-requests", "0")
                .containsEntry("x-ratelimit-reset-requests", "59s");
        assertThat(RateLimitHeaders.of(new Admission.Unmetered(Instant.EPOCH))).isEmpty();
    }
}
