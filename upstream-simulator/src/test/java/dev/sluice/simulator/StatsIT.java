package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorClient.KEY;
import static dev.sluice.simulator.SimulatorClient.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.simulator.limit.WindowKind;
import dev.sluice.simulator.stats.ModelStats;
import dev.sluice.simulator.stats.SimulatorStats;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class StatsIT {

    @Test
    void windowMaximaCatchTheDoubleBurstAtAFixedWindowsEdge() {
        Duration w = Duration.ofSeconds(2);
        SettableClock clock = SettableClock.alignedTo(w);
        SimulatorConfig config = SimulatorConfig.forTests().withLimit("15/2s").withWindow(WindowKind.FIXED);
        try (Simulator sim = Simulator.start(config, clock)) {
            SimulatorClient client = new SimulatorClient(sim);
            clock.advance(Duration.ofMillis(1_500));
            client.burst(15, client.chatRequest(KEY, MODEL));
            clock.advance(Duration.ofSeconds(1)); // the next fixed window
            client.burst(15, client.chatRequest(KEY, MODEL));

            ModelStats stats = sim.stats().model(MODEL);
            assertThat(stats.answered()).isEqualTo(30);
            assertThat(stats.rateLimited()).isZero();
            assertThat(stats.maxInFixedWindow()).isEqualTo(15);
            assertThat(stats.maxInAnyWindow()).isEqualTo(30);
        }
    }

    @Test
    void maxConcurrencyCountsRequestsInFlightAtOnce() {
        SimulatorConfig config = SimulatorConfig.forTests().withLimit("none").withLatency(Duration.ofMillis(500));
        try (Simulator sim = Simulator.start(config)) {
            SimulatorClient client = new SimulatorClient(sim);
            client.burst(8, client.chatRequest(KEY, MODEL));
            client.chat(KEY, MODEL);

            SimulatorStats stats = sim.stats();
            assertThat(stats.model(MODEL).maxConcurrency()).isEqualTo(8);
            assertThat(stats.model(MODEL).inFlight()).isZero();
            assertThat(stats.model(MODEL).maxInAnyWindow()).isNull();
            assertThat(stats.totals().answered()).isEqualTo(9);
        }
    }

    @Test
    void theFirstArrivalIsStampedWithTheSimulatorsClockAndKept() {
        SettableClock clock = new SettableClock(Instant.parse("2026-12-05T10:00:00.123456Z"));
        try (Simulator sim = Simulator.start(SimulatorConfig.forTests().withLimit("none"), clock)) {
            SimulatorClient client = new SimulatorClient(sim);
            assertThat(sim.stats().model(MODEL).firstArrivalAt()).isNull();
            client.chat(KEY, MODEL);
            clock.advance(Duration.ofSeconds(3));
            client.chat(KEY, MODEL);

            assertThat(sim.stats().model(MODEL).firstArrivalAt())
                    .isEqualTo(Instant.parse("2026-12-05T10:00:00.123456Z"));
            JsonNode stats = SimulatorClient.json(client.get("/__stats", null));
            assertThat(Instant.parse(stats.get("models")
                            .get(MODEL)
                            .get("first_arrival_at")
                            .stringValue()))
                    .isEqualTo(Instant.parse("2026-12-05T10:00:00.123456Z"));
            assertThat(Instant.parse(stats.get("keys")
                            .get(KEY)
                            .get(MODEL)
                            .get("first_arrival_at")
                            .stringValue()))
                    .isEqualTo(Instant.parse("2026-12-05T10:00:00.123456Z"));
        }
    }

    @Test
    void statsAreServedAsJsonPerModelAndKeyAndResetClearsThem() {
        try (Simulator sim = Simulator.start(SimulatorConfig.forTests().withLimit("2/60s"))) {
            SimulatorClient client = new SimulatorClient(sim);
            client.burst(3, client.chatRequest(KEY, MODEL));
            client.chat("sk-other", MODEL);
            client.get("/v1/models", null);

            JsonNode stats = SimulatorClient.json(client.get("/__stats", null));
            JsonNode model = stats.get("models").get(MODEL);
            assertThat(model.get("answered").intValue()).isEqualTo(3);
            assertThat(model.get("rate_limited").intValue()).isEqualTo(1);
            assertThat(model.get("max_in_any_window").intValue()).isEqualTo(3);
            assertThat(model.get("max_in_fixed_window").intValue()).isPositive();
            assertThat(model.get("errors").get("total").intValue()).isZero();
            assertThat(stats.get("keys")
                            .get(KEY)
                            .get(MODEL)
                            .get("max_in_any_window")
                            .intValue())
                    .isEqualTo(2);
            assertThat(stats.get("totals").get("unauthorized").intValue()).isEqualTo(1);
            assertThat(stats.get("limit").stringValue()).isEqualTo("2/60s");

            HttpRequest reset = client.request("/__reset")
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build();
            assertThat(client.send(reset).statusCode()).isEqualTo(200);
            assertThat(sim.stats().models()).isEmpty();
            assertThat(client.chat(KEY, MODEL).statusCode()).isEqualTo(200); // the budget is fresh too
        }
    }
}
