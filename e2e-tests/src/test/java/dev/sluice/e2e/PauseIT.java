package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An operator's pause holds for every job of the model, including the ones a worker holds between retries:
 * the provider fails every call, twenty jobs retry every few hundred milliseconds, and {@code POST /admin/pause}
 * must silence the model at the provider (within two seconds) until {@code POST /admin/resume}. Real processes,
 * real HTTP; the provider's own count of requests ({@code /__stats}) is the judge.
 */
class PauseIT {

    private static final String MODEL = "openai/gpt-4o-mini";
    private static final int JOBS = 20;

    private static SluiceStack stack;

    @BeforeAll
    static void start() {
        stack = SluiceStack.start(
                Map.of(
                        "SIMULATOR_LIMIT",
                        "none",
                        "SIMULATOR_LATENCY_MS",
                        "20",
                        "SIMULATOR_JITTER_MS",
                        "0",
                        "SIMULATOR_FAILURE_RATE",
                        "1"),
                // Short backoffs and attempts that never run out: every job keeps calling while it may.
                Map.of(
                        "SLUICE_DEFAULT_LIMIT",
                        "100/1s",
                        "SLUICE_RETRY_MAX_ATTEMPTS",
                        "100000",
                        "SLUICE_RETRY_INITIAL_BACKOFF",
                        "200ms",
                        "SLUICE_RETRY_MAX_BACKOFF",
                        "500ms"),
                1);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aPausedModelGetsNoCallFromJobsHeldInTheirBackoffUntilItIsResumed() {
        Http client = stack.client(stack.newTenantKey("pause"));
        Http.Response submitted = client.post(
                "/v1/batches",
                Map.of(
                        "endpoint",
                        "/v1/chat/completions",
                        "requests",
                        IntStream.range(0, JOBS)
                                .mapToObj(i -> Map.of(
                                        "custom_id",
                                        "r" + i,
                                        "method",
                                        "POST",
                                        "body",
                                        Map.of(
                                                "model",
                                                MODEL,
                                                "messages",
                                                List.of(Map.of("role", "user", "content", "hi " + i)))))
                                .toList()));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
        String batchId = submitted.json().get("id").asString();

        // Every job has failed at least twice and is being retried by the worker that holds its message.
        await("jobs retrying").atMost(Duration.ofSeconds(60)).until(() -> calls() >= 3L * JOBS);

        Http.Response paused = stack.admin().post("/admin/pause", Map.of("model", MODEL));
        assertThat(paused.status()).as(paused.body()).isEqualTo(200);
        long afterGrace = await().pollDelay(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(3))
                .until(PauseIT::calls, any -> true);

        await("no call of the paused model for 20 s")
                .during(Duration.ofSeconds(20))
                .atMost(Duration.ofSeconds(22))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(calls())
                        .as("calls of the model, from 2 s after the pause")
                        .isEqualTo(afterGrace));
        assertThat(client.get("/v1/batches/" + batchId).json().get("status").asString())
                .as("the jobs are held, not finished")
                .isEqualTo("in_progress");

        Http.Response resumed = stack.admin().post("/admin/resume", Map.of("model", MODEL));
        assertThat(resumed.status()).as(resumed.body()).isEqualTo(200);
        await("calls after the resume").atMost(Duration.ofSeconds(10)).until(() -> calls() >= afterGrace + JOBS);
    }

    /** Requests of the model that reached the provider, by its own count. */
    private static long calls() {
        return stack.simulator()
                .get("/__stats")
                .json()
                .get("models")
                .path(MODEL)
                .path("requests")
                .asLong();
    }
}
