package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.db.operations.WorkerHeartbeatRepository;
import dev.sluice.db.ratelimit.RateLimitEvent;
import dev.sluice.db.ratelimit.RateLimitEventRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** {@code GET /admin/queues} and the batch's {@code estimated_completion_at}, counted from PostgreSQL. */
class AdminQueuesIT extends ApiTestBase {

    @Autowired
    RateLimitEventRepository events;

    @Autowired
    WorkerHeartbeatRepository heartbeats;

    @Test
    void aQueueShowsWhyItsWorkMovesOrNot() {
        String key = newTenantKey();
        String model = uniqueModel("queued");
        expect(200, put("/admin/limits", ADMIN_KEY, "{\"model\":\"" + model + "\",\"requests\":2,\"per_seconds\":10}"));
        Instant before = Instant.now();
        JsonNode batch = expect(
                        200,
                        post("/v1/batches", key, aChatBatch().requests(3, model).json()))
                .json();
        String batchId = batch.get("id").asString();
        finish(jdbc).running(batchId, 1);
        events.record(new RateLimitEvent(0, model, "c0ffee12", null, before.minusSeconds(60), null, null, null, null));
        events.record(new RateLimitEvent(0, model, "c0ffee12", null, before.minusSeconds(30), null, null, null, null));
        events.record(new RateLimitEvent(
                0, model, "c0ffee12", null, before.minus(Duration.ofHours(2)), null, null, null, null));
        heartbeats.beat("worker-live-" + Ids.random(4), List.of(model, "other"), Instant.now());
        heartbeats.beat(
                "worker-gone-" + Ids.random(4), List.of(model), Instant.now().minus(Duration.ofMinutes(5)));
        heartbeats.beat("worker-elsewhere-" + Ids.random(4), List.of("other"), Instant.now());

        JsonNode queue = queue(model);

        assertThat(queue.get("waiting").asLong()).isEqualTo(2);
        assertThat(queue.get("in_flight").asLong()).isEqualTo(1);
        assertThat(queue.get("consumers").asInt()).isEqualTo(1);
        assertThat(queue.get("limit").get("requests").asInt()).isEqualTo(2);
        assertThat(queue.get("limit").get("per_seconds").asInt()).isEqualTo(10);
        assertThat(queue.get("limit_source").asString()).isEqualTo("configured");
        assertThat(queue.get("paused").asBoolean()).isFalse();
        assertThat(queue.get("rate_limited_last_hour").asLong()).isEqualTo(2);
        assertThat(queue.get("oldest_waiting_age_seconds").asLong())
                .isBetween(0L, Duration.between(before, Instant.now()).toSeconds() + 1);
        // 3 unfinished jobs at 2 per 10 s.
        assertThat(queue.get("estimated_drain_seconds").asDouble()).isEqualTo(15.0);

        Instant asked = Instant.now();
        long eta = expect(200, get("/v1/batches/" + batchId, key))
                .json()
                .get("estimated_completion_at")
                .asLong();
        assertThat(eta)
                .isBetween(
                        before.plusSeconds(15).getEpochSecond(),
                        asked.plusSeconds(16).getEpochSecond());
    }

    @Test
    void aPausedModelHasNoEstimateAndAnEmptyOneNoAge() {
        String key = newTenantKey();
        String model = uniqueModel("paused");
        // Paused before the batch is stored and read.
        expect(200, post("/admin/pause", ADMIN_KEY, "{\"model\":\"" + model + "\"}"));
        String batchId = createBatch(key, aChatBatch().requests(2, model).json());
        String idle = uniqueModel("idle");
        expect(200, post("/admin/pause", ADMIN_KEY, "{\"model\":\"" + idle + "\"}"));
        expect(200, post("/admin/resume", ADMIN_KEY, "{\"model\":\"" + idle + "\"}"));

        JsonNode paused = queue(model);
        assertThat(paused.get("paused").asBoolean()).isTrue();
        assertThat(paused.get("waiting").asLong()).isEqualTo(2);
        assertThat(paused.get("estimated_drain_seconds").isNull()).isTrue();
        assertThat(paused.get("limit_source").asString()).isEqualTo("default");
        assertThat(expect(200, get("/v1/batches/" + batchId, key))
                        .json()
                        .get("estimated_completion_at")
                        .isNull())
                .isTrue();

        JsonNode empty = queue(idle);
        assertThat(empty.get("waiting").asLong()).isZero();
        assertThat(empty.get("oldest_waiting_age_seconds").isNull()).isTrue();
        assertThat(empty.get("estimated_drain_seconds").asDouble()).isZero();
        assertThat(empty.get("consumers").asInt()).isZero();
    }

    @Test
    void aFinishedBatchHasNoEstimate() {
        String key = newTenantKey();
        String model = uniqueModel("done");
        String batchId = createBatch(key, aChatBatch().requests(1, model).json());
        finish(jdbc).succeeded(batchId, 1);

        assertThat(expect(200, get("/v1/batches/" + batchId, key))
                        .json()
                        .get("estimated_completion_at")
                        .isNull())
                .isTrue();
    }

    @Test
    void everyAdminViewRefusesTenantKeysAndAnonymousCalls() {
        String key = newTenantKey();
        for (String path : List.of("/admin/queues", "/admin/jobs", "/admin/usage")) {
            assertThat(expect(403, get(path, key)).error().get("code").asString())
                    .as(path)
                    .isEqualTo("insufficient_permissions");
            expect(401, get(path, null));
            expect(401, get(path, "not-a-key"));
        }
        for (String path : List.of("/admin/jobs/retry", "/admin/jobs/" + Ids.job() + "/retry")) {
            expect(403, post(path, key, "{}"));
            expect(401, post(path, null, "{}"));
        }
    }

    private JsonNode queue(String model) {
        JsonNode list = expect(200, get("/admin/queues", ADMIN_KEY)).json();
        assertThat(list.get("object").asString()).isEqualTo("list");
        for (JsonNode queue : list.get("data")) {
            if (queue.get("model").asString().equals(model)) {
                return queue;
            }
        }
        throw new AssertionError("no queue for " + model + " in " + list);
    }
}
