package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.testsupport.TestInfrastructure;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The real path, end to end: a client submits over REST, the api stores and publishes, RabbitMQ
 * carries, a worker process claims and calls the simulator over HTTP, Postgres keeps the results,
 * and the client reads them back over REST.
 */
class BatchLifecycleIT {

    private static SluiceStack stack;
    private static Http alice;
    private static Http bob;

    @BeforeAll
    static void startStack() {
        stack = SluiceStack.start(
                Map.of(
                        "SIMULATOR_LIMIT",
                        "40/2s",
                        "SIMULATOR_LATENCY_MS",
                        "20",
                        "SIMULATOR_JITTER_MS",
                        "10",
                        "SIMULATOR_EMBEDDINGS",
                        "true",
                        "SIMULATOR_COMPLETIONS",
                        "true"),
                Map.of("SLUICE_DEFAULT_LIMIT", "40/2s"),
                1);
        alice = stack.client(stack.newTenantKey("alice"));
        bob = stack.client(stack.newTenantKey("bob"));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void chatCompletionsAcrossTwoModelsRunToACompletedBatch() {
        List<Map<String, Object>> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String model = i % 2 == 0 ? "openai/gpt-4o-mini" : "meta-llama/llama-3.1-8b-instruct";
            requests.add(line(
                    "chat-" + i,
                    Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", "question " + i)))));
        }
        JsonNode batch = completed(submit("/v1/chat/completions", requests));

        assertThat(batch.get("request_counts").get("total").asInt()).isEqualTo(6);
        assertThat(batch.get("request_counts").get("completed").asInt()).isEqualTo(6);
        assertThat(batch.get("request_counts").get("failed").asInt()).isZero();
        assertThat(batch.get("error_file_id").isNull()).isTrue();
        assertThat(batch.get("usage").get("total_tokens").asLong()).isPositive();

        List<JsonNode> lines = fileLines(batch.get("output_file_id").asString());
        assertThat(lines)
                .extracting(line -> line.get("custom_id").asString())
                .containsExactly("chat-0", "chat-1", "chat-2", "chat-3", "chat-4", "chat-5");
        for (JsonNode line : lines) {
            assertThat(line.get("error").isNull()).isTrue();
            assertThat(line.get("response").get("status_code").asInt()).isEqualTo(200);
            JsonNode body = line.get("response").get("body");
            assertThat(body.get("object").asString()).isEqualTo("chat.completion");
            String question = "question " + line.get("custom_id").asString().substring("chat-".length());
            assertThat(body.get("choices").get(0).get("message").get("content").asString())
                    .contains(question);
        }
        assertThat(simulatorStat("rate_limited")).isZero();
    }

    @Test
    void completionsRunToACompletedBatch() {
        JsonNode batch = completed(submit(
                "/v1/completions",
                List.of(
                        line("c-1", Map.of("model", "openai/gpt-4o-mini", "prompt", "Say one")),
                        line("c-2", Map.of("model", "openai/gpt-4o-mini", "prompt", "Say two")))));

        List<JsonNode> lines = fileLines(batch.get("output_file_id").asString());
        assertThat(lines).hasSize(2);
        assertThat(lines)
                .allSatisfy(line -> assertThat(
                                line.get("response").get("body").get("object").asString())
                        .isEqualTo("text_completion"));
    }

    @Test
    void embeddingsRunToACompletedBatch() {
        JsonNode batch = completed(submit(
                "/v1/embeddings",
                List.of(
                        line("e-1", Map.of("model", "openai/text-embedding-3-small", "input", "alpha")),
                        line(
                                "e-2",
                                Map.of("model", "openai/text-embedding-3-small", "input", List.of("beta", "gamma"))))));

        List<JsonNode> lines = fileLines(batch.get("output_file_id").asString());
        assertThat(lines)
                .extracting(line -> line.get("response").get("body").get("data").size())
                .containsExactly(1, 2);
        assertThat(lines)
                .allSatisfy(line -> assertThat(
                                line.get("response").get("body").get("object").asString())
                        .isEqualTo("list"));
    }

    @Test
    void aProviderRefusalEndsFailedWithItsBodyInTheErrorFile() {
        JsonNode batch = completed(submit(
                "/v1/chat/completions",
                List.of(
                        line("good", chat("openai/gpt-4o-mini", "hello")),
                        line("bad", chat("nobody/no-such-model", "hello")))));

        assertThat(batch.get("request_counts").get("completed").asInt()).isEqualTo(1);
        assertThat(batch.get("request_counts").get("failed").asInt()).isEqualTo(1);
        List<JsonNode> errors = fileLines(batch.get("error_file_id").asString());
        assertThat(errors).singleElement().satisfies(line -> {
            assertThat(line.get("custom_id").asString()).isEqualTo("bad");
            ResultLines.assertProviderRefusal(line);
        });
        assertThat(fileLines(batch.get("output_file_id").asString()))
                .singleElement()
                .satisfies(line -> assertThat(line.get("custom_id").asString()).isEqualTo("good"));
    }

    @Test
    void aSingleJobRunsAndIsReadable() {
        Http.Response accepted = alice.post(
                "/v1/jobs",
                Map.of(
                        "url",
                        "/v1/chat/completions",
                        "custom_id",
                        "one",
                        "body",
                        chat("openai/gpt-4o-mini", "single")));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String id = accepted.json().get("id").asString();

        JsonNode job = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> alice.get("/v1/jobs/" + id).json(),
                        j -> j.get("status").asString().equals("succeeded"));
        assertThat(job.get("response").get("status_code").asInt()).isEqualTo(200);
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        assertThat(job.get("latency_ms").asInt()).isPositive();
        assertThat(bob.get("/v1/jobs/" + id).status()).isEqualTo(404);
    }

    @Test
    void anotherTenantCannotSeeABatchOrItsResults() {
        JsonNode batch = completed(submit("/v1/chat/completions", List.of(line("x", chat("openai/gpt-4o-mini", "x")))));
        String id = batch.get("id").asString();

        assertThat(bob.get("/v1/batches/" + id).status()).isEqualTo(404);
        assertThat(bob.get("/v1/batches/" + id + "/jobs").status()).isEqualTo(404);
        assertThat(bob.get("/v1/batches/" + id + "/results").status()).isEqualTo(404);
        assertThat(bob.get("/v1/files/" + batch.get("output_file_id").asString())
                        .status())
                .isEqualTo(404);
        assertThat(bob.get("/v1/files/" + batch.get("output_file_id").asString() + "/content")
                        .status())
                .isEqualTo(404);
        assertThat(Arrays.asList(bob.get("/v1/batches?limit=100")
                        .json()
                        .get("data")
                        .valueStream()
                        .map(b -> b.get("id").asString())
                        .toArray()))
                .doesNotContain(id);
    }

    @Test
    void aRejectedBatchLeavesNoRowsBehind() throws SQLException {
        Map<String, Long> before = rowCounts();
        Http.Response rejected = alice.post(
                "/v1/batches",
                Map.of(
                        "endpoint",
                        "/v1/chat/completions",
                        "requests",
                        List.of(
                                line("a", chat("openai/gpt-4o-mini", "1")),
                                line("b", chat("openai/gpt-4o-mini", "2")),
                                line("a", chat("openai/gpt-4o-mini", "3")))));

        assertThat(rejected.status()).isEqualTo(400);
        assertThat(rejected.json().get("error").get("param").asString()).startsWith("requests[2]");
        assertThat(rowCounts()).isEqualTo(before);
    }

    @Test
    void listingPagesToAnEmptyPageAfterTheLastId() {
        Http carol = stack.client(stack.newTenantKey("carol"));
        for (int i = 0; i < 3; i++) {
            Http.Response created = carol.post(
                    "/v1/batches",
                    Map.of(
                            "endpoint",
                            "/v1/chat/completions",
                            "requests",
                            List.of(line("p" + i, chat("openai/gpt-4o-mini", "page " + i)))));
            assertThat(created.status()).as(created.body()).isEqualTo(200);
        }
        JsonNode first = carol.get("/v1/batches?limit=2").json();
        assertThat(first.get("data").size()).isEqualTo(2);
        assertThat(first.get("has_more").asBoolean()).isTrue();
        JsonNode second = carol.get(
                        "/v1/batches?limit=2&after=" + first.get("last_id").asString())
                .json();
        assertThat(second.get("data").size()).isEqualTo(1);
        assertThat(second.get("has_more").asBoolean()).isFalse();
        JsonNode third = carol.get(
                        "/v1/batches?limit=2&after=" + second.get("last_id").asString())
                .json();
        assertThat(third.get("data").size()).isZero();
        assertThat(third.get("has_more").asBoolean()).isFalse();
    }

    private static Map<String, Object> line(String customId, Map<String, Object> body) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("custom_id", customId);
        line.put("method", "POST");
        line.put("body", body);
        return line;
    }

    private static Map<String, Object> chat(String model, String content) {
        return Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", content)));
    }

    private static String submit(String endpoint, List<Map<String, Object>> requests) {
        Http.Response created = alice.post("/v1/batches", Map.of("endpoint", endpoint, "requests", requests));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        return created.json().get("id").asString();
    }

    private static JsonNode completed(String batchId) {
        return await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> alice.get("/v1/batches/" + batchId).json(), b -> switch (b.get("status")
                        .asString()) {
                    case "completed" -> true;
                    case "in_progress", "validating", "finalizing" -> false;
                    default -> throw new AssertionError("batch ended " + b + "\n" + stack.logs());
                });
    }

    private static List<JsonNode> fileLines(String fileId) {
        Http.Response content = alice.get("/v1/files/" + fileId + "/content");
        assertThat(content.status()).as(content.body()).isEqualTo(200);
        return content.body()
                .lines()
                .filter(l -> !l.isBlank())
                .map(l -> Http.JSON.readTree(l))
                .toList();
    }

    private static long simulatorStat(String field) {
        JsonNode totals = stack.simulator().get("/__stats").json().get("totals");
        return totals.get(field).asLong();
    }

    private static Map<String, Long> rowCounts() throws SQLException {
        TestInfrastructure.Database db = TestInfrastructure.database();
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            for (String table : List.of("batches", "jobs", "models")) {
                try (ResultSet rs = connection.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }
}
