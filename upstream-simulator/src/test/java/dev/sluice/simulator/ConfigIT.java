package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorClient.KEY;
import static dev.sluice.simulator.SimulatorClient.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.simulator.limit.Limit;
import dev.sluice.simulator.limit.WindowKind;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ConfigIT {

    @Test
    void putConfigChangesSettingsPartiallyAndAtOnce() {
        try (Simulator sim = Simulator.start(SimulatorConfig.forTests())) {
            SimulatorClient client = new SimulatorClient(sim);
            assertThat(client.send(client.post("/v1/embeddings", KEY, "{}")).statusCode())
                    .isEqualTo(404);

            HttpResponse<String> put = client.putConfig(
                    // A fixed window starts at each multiple of its length since the epoch: at an hour, the three
                    // requests below share one (at 6 s they once straddled a boundary in CI).
                    "{\"limit\": \"2/3600s\", \"window\": \"fixed\", \"latency_ms\": 0, \"embeddings\": true}");
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(SimulatorClient.json(put).get("limit").stringValue()).isEqualTo("2/3600s");

            JsonNode shown = SimulatorClient.json(client.get("/__config", null));
            assertThat(shown.get("window").stringValue()).isEqualTo("fixed");
            assertThat(shown.get("jitter_ms").intValue()).isZero();
            assertThat(shown.get("port").intValue()).isEqualTo(sim.port());
            assertThat(sim.config().limit()).isEqualTo(Limit.parse("2/3600s"));
            assertThat(sim.config().window()).isEqualTo(WindowKind.FIXED);

            assertThat(client.send(client.post(
                                    "/v1/embeddings", KEY, "{\"model\": \"" + MODEL + "\", \"input\": \"x\"}"))
                            .statusCode())
                    .isEqualTo(200);
            client.chat(KEY, MODEL);
            HttpResponse<String> limited = client.chat(KEY, MODEL);
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.body()).contains("Rate limit of 2 per 3600s exceeded");
        }
    }

    @Test
    void badSettingsAre400AndChangeNothing() {
        try (Simulator sim = Simulator.start(SimulatorConfig.forTests())) {
            SimulatorClient client = new SimulatorClient(sim);
            SimulatorConfig before = sim.config();
            for (String bad : new String[] {
                "{\"limit\": \"lots\"}",
                "{\"port\": 1}",
                "{\"nope\": 1}",
                "{\"failure_rate\": 0.6, \"reset_rate\": 0.6}",
                "[1]",
                "{oops"
            }) {
                HttpResponse<String> put = client.putConfig(bad);
                assertThat(put.statusCode()).as(bad).isEqualTo(400);
                assertThat(SimulatorClient.json(put).get("error").get("message").stringValue())
                        .isNotBlank();
            }
            assertThat(sim.config()).isEqualTo(before);
        }
    }

    @Test
    void updateFromJavaTakesEffectOnTheNextRequest() {
        try (Simulator sim = Simulator.start(SimulatorConfig.forTests().withLimit("1/60s"))) {
            SimulatorClient client = new SimulatorClient(sim);
            client.chat(KEY, MODEL);
            assertThat(client.chat(KEY, MODEL).statusCode()).isEqualTo(429);
            sim.update(c -> c.withLimit("none").withLatency(Duration.ZERO));
            assertThat(client.chat(KEY, MODEL).statusCode()).isEqualTo(200);
        }
    }
}
