package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.SseEvents.Event;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/batches/{id}/events} over real HTTP: progress events as the jobs finish (they are finished with
 * SQL, standing in for the worker), then the terminal event, then the end of the stream.
 */
class BatchEventsIT extends ApiTestBase {

    @Test
    void aClientSeesProgressAsJobsFinishThenTheTerminalEventAndTheEnd() throws Exception {
        String key = newTenantKey();
        String id =
                createBatch(key, aChatBatch().requests(2, uniqueModel("sse")).json());
        List<Event> events = new CopyOnWriteArrayList<>();
        HttpResponse<Void> response;
        try (HttpClient client = HttpClient.newHttpClient()) {
            CompletableFuture<HttpResponse<Void>> stream = client.sendAsync(
                    request("/v1/batches/" + id + "/events", key).GET().build(),
                    HttpResponse.BodyHandlers.fromLineSubscriber(new SseEvents(events)));

            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 1);
            assertThat(events.getFirst().name()).isEqualTo("progress");
            assertCounts(events.getFirst(), "in_progress", 0, 2);

            finish(jdbc).succeeded(id, 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 2);
            assertCounts(events.get(1), "in_progress", 1, 1);

            finish(jdbc).failed(id, 2);
            completeBatch(id, null, null);
            response = stream.get(10, java.util.concurrent.TimeUnit.SECONDS);
        }

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        Event last = events.getLast();
        assertThat(last.name()).isEqualTo("batch.completed");
        assertThat(last.data().get("status").asString()).isEqualTo("completed");
        assertThat(last.data().get("request_counts").get("completed").asInt()).isEqualTo(1);
        assertThat(last.data().get("request_counts").get("failed").asInt()).isEqualTo(1);
        // Between the second progress event and the end only changes were sent, never a repeat.
        assertThat(events.stream().map(Event::data).distinct().count()).isEqualTo(events.size());
    }

    @Test
    void anotherTenantsBatchIsNotFound() {
        String owner = newTenantKey();
        String id =
                createBatch(owner, aChatBatch().requests(1, uniqueModel("sse")).json());

        Reply reply = expect(404, get("/v1/batches/" + id + "/events", newTenantKey()));

        assertThat(reply.error().get("code").asString()).isEqualTo("not_found");
    }

    private static void assertCounts(Event event, String status, int completed, int queued) {
        assertThat(event.data().get("id").asString()).startsWith("batch_");
        assertThat(event.data().get("status").asString()).isEqualTo(status);
        assertThat(event.data().get("request_counts").get("completed").asInt()).isEqualTo(completed);
        assertThat(event.data().get("request_counts").get("queued").asInt()).isEqualTo(queued);
    }
}
