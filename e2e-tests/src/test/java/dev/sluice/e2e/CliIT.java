package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The {@code sluice} CLI as a user runs it: {@code java -jar cli/target/sluice.jar} as a process
 * against the real stack, configured only by {@code SLUICE_URL}, {@code SLUICE_API_KEY} and
 * {@code SLUICE_ADMIN_KEY}. Its stdout is not a terminal here, so progress comes as plain lines.
 */
class CliIT {

    private static final String MINI = "openai/gpt-4o-mini";
    private static final String LLAMA = "meta-llama/llama-3.1-8b-instruct";

    private static SluiceStack stack;
    private static Map<String, String> tenant;
    private static Map<String, String> operator;

    @TempDir
    Path dir;

    @BeforeAll
    static void startStack() {
        stack = SluiceStack.start(
                Map.of("SIMULATOR_LIMIT", "40/2s", "SIMULATOR_LATENCY_MS", "20", "SIMULATOR_JITTER_MS", "10"),
                Map.of("SLUICE_DEFAULT_LIMIT", "40/2s"),
                1);
        String url = stack.apiUrl().toString();
        tenant = Map.of("SLUICE_URL", url, "SLUICE_API_KEY", stack.newTenantKey("cli"));
        operator = Map.of("SLUICE_URL", url, "SLUICE_ADMIN_KEY", stack.adminKey());
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void submitWaitWritesEveryResultLine() throws IOException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add("q" + i);
        }
        Path input = requests("requests.jsonl", ids, i -> i % 2 == 0 ? MINI : LLAMA);

        Cli.Result run = Cli.run(
                tenant,
                dir,
                "batch",
                "submit",
                "requests.jsonl",
                "--wait",
                "--output",
                "results.jsonl",
                "--errors",
                "errors.jsonl",
                "--poll-interval",
                "200ms",
                "--metadata",
                "suite=cli");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        List<JsonNode> results = lines(dir.resolve("results.jsonl"));
        assertThat(results)
                .extracting(line -> line.get("custom_id").asString())
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(results).allSatisfy(line -> {
            assertThat(line.get("response").get("status_code").asInt()).isEqualTo(200);
            assertThat(line.get("response").get("body").get("object").asString())
                    .isEqualTo("chat.completion");
        });
        assertThat(dir.resolve("errors.jsonl")).isEmptyFile();
        assertThat(run.outLines())
                .anySatisfy(line -> assertThat(line).matches("batch_\\w+ completed: 12 of 12 succeeded, 0 failed\\."))
                .contains("Wrote 12 results to results.jsonl.", "Wrote 0 failed lines to errors.jsonl.");
        // Not a terminal: plain progress lines on stderr, no bar redrawn with carriage returns.
        assertThat(run.err())
                .doesNotContain("\r")
                .contains("(12 requests to /v1/chat/completions)")
                .containsPattern("batch_\\w+ completed: 12/12 done, 0 failed");
        assertThat(results.getFirst()
                        .get("response")
                        .get("body")
                        .get("choices")
                        .get(0)
                        .get("message")
                        .get("content")
                        .asString())
                .contains("日本");

        // Printed on stdout instead, the same bytes: UTF-8 even where the locale says ASCII.
        String id =
                run.outLines().getFirst().substring(0, run.outLines().getFirst().indexOf(' '));
        Map<String, String> asciiLocale = new HashMap<>(tenant);
        asciiLocale.put("LC_ALL", "C");
        Cli.Result printed = Cli.run(asciiLocale, dir, "batch", "results", id);
        assertThat(printed.exitCode()).as(printed.toString()).isZero();
        assertThat(printed.out()).isEqualTo(Files.readString(input.resolveSibling("results.jsonl")));
    }

    @Test
    void aBatchWithAFailedLineExitsOneAndWritesThatLineToTheErrorFile() throws IOException {
        Path input = requests("mixed.jsonl", List.of("good-1", "good-2"), i -> MINI);
        // The provider answers 400 to a chat request without messages: a failed line, not a refused batch.
        Files.writeString(
                input,
                "{\"custom_id\": \"bad\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", "
                        + "\"body\": {\"model\": \"" + MINI + "\"}}\n",
                StandardOpenOption.APPEND);

        Cli.Result run = Cli.run(
                tenant,
                dir,
                "batch",
                "submit",
                "mixed.jsonl",
                "-w",
                "-o",
                "out.jsonl",
                "-e",
                "failed.jsonl",
                "--poll-interval",
                "200ms",
                "--quiet");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(lines(dir.resolve("out.jsonl")))
                .extracting(line -> line.get("custom_id").asString())
                .containsExactlyInAnyOrder("good-1", "good-2");
        assertThat(lines(dir.resolve("failed.jsonl"))).singleElement().satisfies(line -> {
            assertThat(line.get("custom_id").asString()).isEqualTo("bad");
            assertThat(line.get("response").get("status_code").asInt()).isEqualTo(400);
        });
        assertThat(run.out()).contains("completed: 2 of 3 succeeded, 1 failed.");
        assertThat(run.err()).as("--quiet").isEmpty();
    }

    @Test
    void queuesListsTheModelAndPauseAndResumeChangeIt() throws IOException {
        String model = "openai/gpt-4.1-nano";
        requests("nano.jsonl", List.of("n1", "n2"), i -> model);
        try {
            assertThat(Cli.run(operator, dir, "pause", model).exitCode()).isZero();
            Cli.Result submitted = Cli.run(tenant, dir, "batch", "submit", "nano.jsonl");
            assertThat(submitted.exitCode()).as(submitted.toString()).isZero();

            Cli.Result table = Cli.run(operator, dir, "queues");
            Cli.Result json = Cli.run(operator, dir, "queues", "--json");

            assertThat(table.exitCode()).as(table.toString()).isZero();
            assertThat(table.outLines().getFirst()).startsWith("MODEL").contains("WAITING", "PAUSED");
            assertThat(table.outLines())
                    .anySatisfy(line -> assertThat(line).startsWith(model).contains("yes"));
            assertThat(queue(Http.JSON.readTree(json.out()), model)
                            .get("paused")
                            .asBoolean())
                    .isTrue();
            assertThat(queue(Http.JSON.readTree(json.out()), model)
                            .get("waiting")
                            .asLong())
                    .isEqualTo(2);
        } finally {
            assertThat(Cli.run(operator, dir, "resume", model).out()).contains(model + " resumed");
        }
        assertThat(queue(stack.admin().get("/admin/queues").json(), model)
                        .get("paused")
                        .asBoolean())
                .isFalse();
    }

    @Test
    void aMissingFileExitsNonZeroWithOneClearLine() {
        Cli.Result run = Cli.run(tenant, dir, "batch", "submit", "no-such-file.jsonl", "--wait");

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(run.errLines())
                .singleElement()
                .asString()
                .isEqualTo("sluice: no-such-file.jsonl does not exist: give the path of a JSONL batch input file "
                        + "(one request object per line).");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aRefusedKeyAndAnUnreachableServerEachSayWhatToDoOnOneLine() throws IOException {
        Cli.Result refused = Cli.run(
                Map.of("SLUICE_URL", stack.apiUrl().toString(), "SLUICE_API_KEY", "sk-wrong"), dir, "batch", "list");
        Cli.Result tenantAsOperator = Cli.run(
                Map.of("SLUICE_URL", stack.apiUrl().toString(), "SLUICE_ADMIN_KEY", tenant.get("SLUICE_API_KEY")),
                dir,
                "queues");
        Cli.Result unreachable = Cli.run(
                Map.of("SLUICE_URL", "http://127.0.0.1:" + closedPort(), "SLUICE_API_KEY", "sk-any"),
                dir,
                "batch",
                "list");

        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.errLines())
                .singleElement()
                .asString()
                .startsWith("sluice: the server refused the key (401")
                .endsWith("Check SLUICE_API_KEY or --api-key.")
                .doesNotContain("sk-wrong");
        assertThat(tenantAsOperator.exitCode()).isEqualTo(3);
        assertThat(tenantAsOperator.errLines())
                .singleElement()
                .asString()
                .contains("403", "the admin key")
                .doesNotContain(tenant.get("SLUICE_API_KEY"));
        assertThat(unreachable.exitCode()).isEqualTo(4);
        assertThat(unreachable.errLines())
                .singleElement()
                .asString()
                .startsWith("sluice: cannot reach http://127.0.0.1:")
                .contains("connection refused", "SLUICE_URL");
    }

    @Test
    void aBatchIsListedShownCancelledAndItsResultsFetched() throws IOException {
        String model = "openai/gpt-4.1-mini";
        requests("held.jsonl", List.of("h1", "h2", "h3"), i -> model);
        JsonNode batch;
        try {
            Cli.run(operator, dir, "pause", model);
            Cli.Result submitted = Cli.run(tenant, dir, "batch", "submit", "held.jsonl", "--json", "--metadata", "k=v");
            assertThat(submitted.exitCode()).as(submitted.toString()).isZero();
            batch = Http.JSON.readTree(submitted.out());
            String id = batch.get("id").asString();

            Cli.Result early = Cli.run(tenant, dir, "batch", "results", id);
            Cli.Result listed = Cli.run(tenant, dir, "batch", "list", "--limit", "100");
            Cli.Result shown = Cli.run(tenant, dir, "batch", "get", id);
            Cli.Result cancelled = Cli.run(tenant, dir, "batch", "cancel", id);
            Cli.Result waited = Cli.run(
                    tenant, dir, "batch", "wait", id, "-o", "held.out", "-e", "held.err", "--poll-interval", "200ms");
            Cli.Result fetched = Cli.run(tenant, dir, "batch", "results", id, "--errors", "again.err");

            assertThat(early.exitCode()).isEqualTo(6);
            assertThat(early.errLines()).singleElement().asString().contains("sluice batch wait " + id);
            assertThat(listed.outLines())
                    .anySatisfy(line -> assertThat(line).startsWith(id).contains("in_progress"));
            assertThat(shown.out()).contains("metadata       k=v").containsPattern("requests\\s+0/3 done");
            assertThat(cancelled.exitCode()).isZero();
            assertThat(cancelled.out()).startsWith(id + " is cancell");
            assertThat(waited.exitCode()).as(waited.toString()).isEqualTo(1);
            assertThat(waited.out()).contains(id + " cancelled: 0 of 3 succeeded, 3 failed.");
            assertThat(dir.resolve("held.out")).isEmptyFile();
            assertThat(lines(dir.resolve("held.err")))
                    .hasSize(3)
                    .allSatisfy(line ->
                            assertThat(line.get("error").get("code").asString()).isEqualTo("batch_cancelled"));
            assertThat(fetched.exitCode()).isEqualTo(1);
            assertThat(fetched.out())
                    .as("stdout carries only the (empty) output file")
                    .isEmpty();
            assertThat(lines(dir.resolve("again.err"))).hasSize(3);
        } finally {
            Cli.run(operator, dir, "resume", model);
        }
    }

    @Test
    void operatorsSetLimitsManageKeysAndReadUsage() {
        String model = "deepseek/deepseek-chat";

        Cli.Result set = Cli.run(
                operator,
                dir,
                "limits",
                "set",
                model,
                "--requests",
                "7",
                "--per-seconds",
                "1.5",
                "--max-concurrency",
                "3");
        Cli.Result get = Cli.run(operator, dir, "limits", "get", model);
        Cli.Result created = Cli.run(operator, dir, "keys", "create", "cli-made", "--json");
        String key = Http.JSON.readTree(created.out()).get("key").asString();
        String keyId = Http.JSON.readTree(created.out()).get("id").asString();
        Map<String, String> newTenant = Map.of("SLUICE_URL", stack.apiUrl().toString(), "SLUICE_API_KEY", key);
        Cli.Result before = Cli.run(newTenant, dir, "batch", "list");
        Cli.Result listed = Cli.run(operator, dir, "keys", "list");
        Cli.Result revoked = Cli.run(operator, dir, "keys", "revoke", keyId);
        Cli.Result after = Cli.run(newTenant, dir, "batch", "list");
        Cli.Result usage = Cli.run(operator, dir, "usage", "--json");

        assertThat(set.exitCode()).as(set.toString()).isZero();
        assertThat(set.out()).startsWith(model + ": 7/1.5s (configured), max concurrency 3.");
        JsonNode stored = stack.admin().get("/admin/limits").json();
        assertThat(stored.get("data")).anySatisfy(entry -> {
            assertThat(entry.get("model").asString()).isEqualTo(model);
            assertThat(entry.get("requests").asInt()).isEqualTo(7);
            assertThat(entry.get("max_concurrency").asInt()).isEqualTo(3);
        });
        assertThat(get.outLines())
                .hasSize(2)
                .last()
                .asString()
                .startsWith(model)
                .contains("7/1.5s", "configured");
        assertThat(before.exitCode()).isZero();
        assertThat(listed.out()).contains(keyId, "cli-made").doesNotContain(key);
        assertThat(revoked.out()).isEqualTo("Revoked " + keyId + ".\n");
        assertThat(after.exitCode()).isEqualTo(3);
        assertThat(usage.exitCode()).isZero();
        assertThat(Http.JSON.readTree(usage.out()).get("object").asString()).isEqualTo("admin.usage");
    }

    private Path requests(String name, List<String> customIds, IntFunction<String> model) throws IOException {
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < customIds.size(); i++) {
            jsonl.append(Http.JSON.writeValueAsString(Map.of(
                            "custom_id",
                            customIds.get(i),
                            "method",
                            "POST",
                            "url",
                            "/v1/chat/completions",
                            "body",
                            Map.of(
                                    "model",
                                    model.apply(i),
                                    "messages",
                                    List.of(Map.of("role", "user", "content", "question " + i + " (é, 日本)"))))))
                    .append('\n');
        }
        return Files.writeString(dir.resolve(name), jsonl);
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .filter(line -> !line.isBlank())
                .map(Http.JSON::readTree)
                .toList();
    }

    private static JsonNode queue(JsonNode queues, String model) {
        for (JsonNode queue : queues.get("data")) {
            if (queue.get("model").asString().equals(model)) {
                return queue;
            }
        }
        throw new AssertionError(model + " is not in " + queues);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
