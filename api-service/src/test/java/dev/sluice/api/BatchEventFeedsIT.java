package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.SseEvents.Event;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchTransitions;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The streams of one batch share one reader: N open {@code /v1/batches/{id}/events} streams cost one read of the
 * batch per poll interval (100 ms here), not N, all of them still see every change and the end, and a stream
 * whose client went away leaves (with the last one, the batch's reader stops).
 */
class BatchEventFeedsIT extends SmallPoolTestBase {

    private static final int STREAMS = 5;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    @Autowired
    private MeterRegistry meters;

    @Autowired
    private BatchRepository batches;

    @Autowired
    private BatchTransitions batchTransitions;

    @Test
    void manyStreamsOnOneBatchCostOneReadPerIntervalAndAllSeeProgressAndTheEnd() throws Exception {
        String key = newTenantKey();
        String id = expect(
                        200,
                        post(
                                "/v1/batches",
                                key,
                                aChatBatch().requests(2, uniqueModel("feed")).json()))
                .json()
                .get("id")
                .asString();
        List<List<Event>> received = new ArrayList<>();
        List<CompletableFuture<HttpResponse<Void>>> streams = new ArrayList<>();
        HttpClient client = HttpClient.newHttpClient();
        try {
            for (int i = 0; i < STREAMS; i++) {
                List<Event> events = new CopyOnWriteArrayList<>();
                received.add(events);
                streams.add(client.sendAsync(
                        request("/v1/batches/" + id + "/events", key).GET().build(),
                        HttpResponse.BodyHandlers.fromLineSubscriber(new SseEvents(events))));
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> received.stream().allMatch(events -> events.size() == 1));
            assertThat(gauge("sluice.events.streams")).isEqualTo(STREAMS);
            assertThat(gauge("sluice.events.batches")).isEqualTo(1);

            // Ten reads take at least nine poll intervals with one reader; with one per stream, two intervals.
            double before = polls();
            long started = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).until(() -> polls() >= before + 10);
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .as("time for 10 reads with %d streams open", STREAMS)
                    .isGreaterThanOrEqualTo(POLL_INTERVAL.multipliedBy(9));

            finish(jdbc).succeeded(id, 1);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> received.stream().allMatch(events -> events.size() == 2));
            finish(jdbc).failed(id, 2);
            Instant now = Instant.now();
            assertThat(batchTransitions.tryStartFinalizing(id, now)).isTrue();
            assertThat(batchTransitions.markCompleted(
                            id, batches.liveCounts(id), batches.liveUsage(id), null, null, now))
                    .isTrue();
            for (CompletableFuture<HttpResponse<Void>> stream : streams) {
                assertThat(stream.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
        } finally {
            // Not close(): it would wait for streams that a failed assertion left open.
            client.shutdownNow();
        }

        for (List<Event> events : received) {
            assertThat(events.get(1).name()).isEqualTo("progress");
            assertThat(events.get(1)
                            .data()
                            .get("request_counts")
                            .get("completed")
                            .asInt())
                    .isEqualTo(1);
            assertThat(events.getLast().name()).isEqualTo("batch.completed");
            assertThat(events.getLast()
                            .data()
                            .get("request_counts")
                            .get("failed")
                            .asInt())
                    .isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gauge("sluice.events.streams") == 0);
        assertThat(gauge("sluice.events.batches")).isZero();
    }

    @Test
    void aStreamWhoseClientWentAwayLeavesAndTheLastOneStopsTheReader() throws IOException {
        String key = newTenantKey();
        String id = expect(
                        200,
                        post(
                                "/v1/batches",
                                key,
                                aChatBatch().requests(1, uniqueModel("feed")).json()))
                .json()
                .get("id")
                .asString();
        double streamsBefore = gauge("sluice.events.streams");

        try (SlowReader staying = openStream(id, key)) {
            try (SlowReader leaving = openStream(id, key)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> gauge("sluice.events.streams") == streamsBefore + 2);
            }
            // The server sees the closed socket at its next keep-alive (300 ms here).
            await().atMost(Duration.ofSeconds(5)).until(() -> gauge("sluice.events.streams") == streamsBefore + 1);
            double polls = polls();
            await().atMost(Duration.ofSeconds(5)).until(() -> polls() > polls);
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> gauge("sluice.events.streams") == streamsBefore);
        double stopped = polls();
        await().during(POLL_INTERVAL.multipliedBy(5))
                .atMost(Duration.ofSeconds(5))
                .until(() -> polls() == stopped);
    }

    private SlowReader openStream(String batchId, String key) throws IOException {
        SlowReader reader = SlowReader.start(port, "/v1/batches/" + batchId + "/events", key);
        assertThat(reader.head()).isEqualTo("HTTP/1.1 200");
        return reader;
    }

    private double polls() {
        return meters.get("sluice.events.polls").counter().count();
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }
}
