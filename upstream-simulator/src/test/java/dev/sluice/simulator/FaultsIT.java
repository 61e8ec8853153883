package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorClient.KEY;
import static dev.sluice.simulator.SimulatorClient.MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.simulator.faults.FaultRates;
import dev.sluice.simulator.stats.ErrorCounts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Faults, seen from a real client. */
class FaultsIT {

    private static Simulator start(FaultRates faults) {
        return Simulator.start(SimulatorConfig.forTests().withLimit("none").withFaults(faults));
    }

    @Test
    void failureRateIsRoughlyHonoured() {
        try (Simulator sim = start(FaultRates.failures(0.3))) {
            SimulatorClient client = new SimulatorClient(sim);
            int failures = 0;
            for (int i = 0; i < 400; i++) {
                HttpResponse<String> response = client.chat(KEY, MODEL);
                if (response.statusCode() != 200) {
                    assertThat(response.statusCode()).isIn(500, 502, 503);
                    assertThat(SimulatorClient.json(response)
                                    .get("error")
                                    .get("type")
                                    .stringValue())
                            .isEqualTo("server_error");
                    failures++;
                }
            }
            // Binomial(400, 0.3): mean 120, sd 9.2; the band is more than 4 sd wide each side.
            assertThat(failures).isBetween(80, 160);
            assertThat(sim.stats().model(MODEL).errors().serverError()).isEqualTo(failures);
            assertThat(sim.stats().model(MODEL).answered()).isEqualTo(400 - failures);
        }
    }

    @Test
    void resetDropsTheConnectionWithoutAResponse() {
        try (Simulator sim = start(new FaultRates(0, 1, 0, 0))) {
            SimulatorClient client = new SimulatorClient(sim);
            assertThatThrownBy(() -> client.chat(KEY, MODEL))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasCauseInstanceOf(IOException.class);
            assertThat(sim.stats().model(MODEL).errors()).isEqualTo(new ErrorCounts(1, 0, 1, 0, 0, 0));
        }
    }

    @Test
    void truncationSends200WithAShortBody() {
        try (Simulator sim = start(new FaultRates(0, 0, 0, 1))) {
            SimulatorClient client = new SimulatorClient(sim);
            assertThatThrownBy(() -> client.chat(KEY, MODEL)).hasCauseInstanceOf(IOException.class);

            // Seen raw: the status line and the full Content-Length, then half the bytes.
            HttpResponse<InputStream> raw = sendStreaming(client.chatRequest(KEY, MODEL));
            assertThat(raw.statusCode()).isEqualTo(200);
            long promised = raw.headers().firstValueAsLong("Content-Length").orElseThrow();
            byte[] got = readUntilClosed(raw.body());
            assertThat((long) got.length).isPositive().isLessThan(promised);
            assertThat(sim.stats().model(MODEL).errors().truncated()).isEqualTo(2);
        }
    }

    @Test
    void aHangTimesTheClientOutAndEndsOnReset() {
        try (Simulator sim = start(new FaultRates(0, 0, 1, 0))) {
            SimulatorClient client = new SimulatorClient(sim);
            HttpRequest request = client.request("/v1/chat/completions")
                    .timeout(Duration.ofMillis(300))
                    .header("Authorization", "Bearer " + KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(SimulatorClient.chatBody(MODEL, "hi")))
                    .build();
            assertThatThrownBy(() -> client.send(request)).hasCauseInstanceOf(HttpTimeoutException.class);

            CompletableFuture<HttpResponse<String>> waiting = client.sendAsync(client.chatRequest(KEY, MODEL));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> sim.stats().model(MODEL).errors().hang() == 2);
            sim.reset();
            assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void rateLimitedRequestsMeetNoFault() {
        try (Simulator sim =
                Simulator.start(SimulatorConfig.forTests().withLimit("1/60s").withFaults(FaultRates.failures(1.0)))) {
            SimulatorClient client = new SimulatorClient(sim);
            assertThat(client.chat(KEY, MODEL).statusCode()).isIn(500, 502, 503);
            assertThat(client.chat(KEY, MODEL).statusCode()).isEqualTo(429);
        }
    }

    private static HttpResponse<InputStream> sendStreaming(HttpRequest request) {
        try {
            return HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .build()
                    .send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] readUntilClosed(InputStream in) {
        var got = new ByteArrayOutputStream();
        byte[] buffer = new byte[256];
        try (in) {
            for (int n; (n = in.read(buffer)) != -1; ) {
                got.write(buffer, 0, n);
            }
        } catch (IOException | CompletionException expected) {
            // The connection closed early: that is the point.
        }
        return got.toByteArray();
    }
}
