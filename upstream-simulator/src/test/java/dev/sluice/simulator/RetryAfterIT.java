package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorClient.KEY;
import static dev.sluice.simulator.SimulatorClient.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryAfterIT {

    @Test
    void headersTellTheClientWhenToRetry() {
        SettableClock clock = SettableClock.alignedTo(Duration.ofSeconds(10));
        SimulatorConfig config = SimulatorConfig.forTests().withLimit("2/10s").withRetryAfter(true);
        try (Simulator sim = Simulator.start(config, clock)) {
            SimulatorClient client = new SimulatorClient(sim);
            HttpHeaders first = client.chat(KEY, MODEL).headers();
            assertThat(first.firstValue("x-ratelimit-limit-requests")).hasValue("2");
            assertThat(first.firstValue("x-ratelimit-remaining-requests")).hasValue("1");
            assertThat(first.firstValue("x-ratelimit-reset-requests")).hasValue("10s");
            assertThat(first.firstValue("Retry-After")).isEmpty();

            clock.advance(Duration.ofMillis(3_200));
            assertThat(client.chat(KEY, MODEL).headers().firstValue("x-ratelimit-remaining-requests"))
                    .hasValue("0");
            HttpResponse<String> rejected = client.chat(KEY, MODEL);
            assertThat(rejected.statusCode()).isEqualTo(429);
            // The first slot frees 6.8 s from now, the whole budget 10 s from now.
            assertThat(rejected.headers().firstValue("Retry-After")).hasValue("7");
            assertThat(rejected.headers().firstValue("x-ratelimit-remaining-requests"))
                    .hasValue("0");
            assertThat(rejected.headers().firstValue("x-ratelimit-reset-requests"))
                    .hasValue("10s");
        }
    }

    @Test
    void noHeadersUnlessEnabled() {
        try (Simulator sim = Simulator.start(SimulatorConfig.forTests().withLimit("1/10s"))) {
            SimulatorClient client = new SimulatorClient(sim);
            assertThat(client.chat(KEY, MODEL).headers().firstValue("x-ratelimit-limit-requests"))
                    .isEmpty();
            assertThat(client.chat(KEY, MODEL).headers().firstValue("Retry-After"))
                    .isEmpty();
        }
    }
}
