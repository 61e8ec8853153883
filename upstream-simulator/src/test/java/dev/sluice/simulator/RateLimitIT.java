package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorClient.KEY;
import static dev.sluice.simulator.SimulatorClient.MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.simulator.limit.WindowKind;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RateLimitIT {

    private static final Duration W = Duration.ofSeconds(2);
    private static final String OTHER_MODEL = "anthropic/claude-3-5-haiku";

    @ParameterizedTest
    @EnumSource(WindowKind.class)
    void acceptsExactlyNPerWindowPerKeyPerModelUnderConcurrentLoad(WindowKind kind) {
        SettableClock clock = SettableClock.alignedTo(W);
        try (Simulator sim =
                Simulator.start(SimulatorConfig.forTests().withLimit("15/2s").withWindow(kind), clock)) {
            SimulatorClient client = new SimulatorClient(sim);

            assertThat(counts(client.burst(40, client.chatRequest(KEY, MODEL)))).containsExactly(15, 25);
            assertThat(counts(client.burst(40, client.chatRequest("sk-other", MODEL))))
                    .containsExactly(15, 25);
            assertThat(counts(client.burst(40, client.chatRequest(KEY, OTHER_MODEL))))
                    .containsExactly(15, 25);

            clock.advance(W.minusMillis(1));
            assertThat(client.chat(KEY, MODEL).statusCode()).isEqualTo(429);
            clock.advance(Duration.ofMillis(1));
            assertThat(counts(client.burst(40, client.chatRequest(KEY, MODEL)))).containsExactly(15, 25);

            assertThat(sim.stats().model(MODEL).maxInAnyWindow()).isEqualTo(30); // 2 keys x 15
            assertThat(sim.stats().key(KEY, MODEL).maxInAnyWindow()).isEqualTo(15);
            assertThat(sim.stats().key(KEY, MODEL).rateLimited()).isEqualTo(51);
        }
    }

    @Test
    void theSixteenthGetsTheSeedProvidersExact429() {
        try (Simulator sim = Simulator.start(SimulatorConfig.forTests())) {
            SimulatorClient client = new SimulatorClient(sim);
            for (int i = 0; i < 15; i++) {
                assertThat(client.chat(KEY, MODEL).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> rejected = client.chat(KEY, MODEL);
            assertThat(rejected.statusCode()).isEqualTo(429);
            var error = SimulatorClient.json(rejected).get("error");
            assertThat(error.get("message").stringValue())
                    .isEqualTo("Rate limit of 15 per 60s exceeded for UserByModelByMinute");
            assertThat(error.get("code").stringValue()).isEqualTo("rate_limit_exceeded");
            assertThat(rejected.headers().firstValue("Retry-After")).isEmpty();
        }
    }

    @Test
    void rejectedRequestsUseNoBudget() {
        SettableClock clock = SettableClock.alignedTo(W);
        try (Simulator sim = Simulator.start(SimulatorConfig.forTests().withLimit("2/10s"), clock)) {
            SimulatorClient client = new SimulatorClient(sim);
            assertThat(counts(client.burst(2, client.chatRequest(KEY, MODEL)))).containsExactly(2, 0);
            clock.advance(Duration.ofSeconds(5));
            assertThat(counts(client.burst(5, client.chatRequest(KEY, MODEL)))).containsExactly(0, 5);
            clock.advance(Duration.ofSeconds(5)); // had the 429s counted, nothing would free before t = 15 s
            assertThat(counts(client.burst(3, client.chatRequest(KEY, MODEL)))).containsExactly(2, 1);
        }
    }

    @Test
    void aRequestCountsWhenItArrivesNotWhenItIsAnswered() {
        SimulatorConfig config = SimulatorConfig.forTests().withLatency(Duration.ofMillis(1500));
        try (Simulator sim = Simulator.start(config)) {
            SimulatorClient client = new SimulatorClient(sim);
            List<CompletableFuture<HttpResponse<String>>> slow = Collections.nCopies(15, 0).stream()
                    .map(i -> client.sendAsync(client.chatRequest(KEY, MODEL)))
                    .toList();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> sim.stats().model(MODEL).accepted() == 15);

            assertThat(sim.stats().model(MODEL).inFlight()).isEqualTo(15);
            assertThat(client.chat(KEY, MODEL).statusCode()).isEqualTo(429);
            assertThat(slow).allSatisfy(f -> assertThat(f.join().statusCode()).isEqualTo(200));
        }
    }

    @Test
    void withTheRealClockASlotFreesWAfterItWasTaken() {
        try (Simulator sim = Simulator.start(SimulatorConfig.forTests().withLimit("15/2s"))) {
            SimulatorClient client = new SimulatorClient(sim);
            long start = System.nanoTime();
            assertThat(counts(client.burst(40, client.chatRequest(KEY, MODEL)))).containsExactly(15, 25);

            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> client.chat(KEY, MODEL).statusCode() == 200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(W);
        }
    }

    /** [number of 200s, number of 429s]; anything else fails. */
    private static List<Integer> counts(List<Integer> statuses) {
        assertThat(statuses).allMatch(s -> s == 200 || s == 429);
        int ok = (int) statuses.stream().filter(s -> s == 200).count();
        return List.of(ok, statuses.size() - ok);
    }
}
