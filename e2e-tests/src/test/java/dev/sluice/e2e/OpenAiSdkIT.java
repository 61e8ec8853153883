package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.MultipartField;
import com.openai.core.http.HttpResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.batches.BatchListParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The official OpenAI Java SDK ({@code com.openai:openai-java}), configured with nothing but Sluice's
 * base URL and a Sluice API key, runs OpenAI's Batch API workflow against the real processes: upload,
 * create, retrieve, list with the auto-pager, cancel, download the result files, and a refused file.
 */
class OpenAiSdkIT {

    private static final String MODEL = "openai/gpt-4o-mini";

    private static SluiceStack stack;

    @BeforeAll
    static void startStack() {
        stack = SluiceStack.start(
                Map.of("SIMULATOR_LIMIT", "100/1s", "SIMULATOR_LATENCY_MS", "20", "SIMULATOR_JITTER_MS", "10"),
                Map.of("SLUICE_DEFAULT_LIMIT", "100/1s"),
                1);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void uploadedFileRunsToResultFilesTheSdkReadsLineByLine() {
        OpenAIClient openai = client("results");
        String lines = line("ok-1", "hello")
                + line("bad-1", null)
                + line("ok-2", "again")
                + line("bad-2", null)
                + line("ok-3", "more");

        FileObject file = upload(openai, "requests.jsonl", lines);
        assertThat(file.id()).startsWith("file-");
        assertThat(file.bytes()).isEqualTo(lines.getBytes(StandardCharsets.UTF_8).length);
        assertThat(file.filename()).isEqualTo("requests.jsonl");
        assertThat(file.purpose()).isEqualTo(FileObject.Purpose.BATCH);

        Batch created = openai.batches()
                .create(chatBatch(file.id())
                        .metadata(BatchCreateParams.Metadata.builder()
                                .putAdditionalProperty("project", JsonValue.from("drop-in"))
                                .putAdditionalProperty("owner", JsonValue.from("e2e"))
                                .build())
                        .build());
        assertThat(created.inputFileId()).isEqualTo(file.id());
        assertThat(created.requestCounts().orElseThrow().total()).isEqualTo(5);
        // The batch holds its own copy of every line: deleting the input file does not touch it.
        assertThat(openai.files().delete(file.id()).validate().deleted()).isTrue();

        Batch done = awaitStatus(openai, created.id(), Batch.Status.COMPLETED);
        done.validate();
        assertThat(done.metadata().orElseThrow()._additionalProperties())
                .containsEntry("project", JsonValue.from("drop-in"))
                .containsEntry("owner", JsonValue.from("e2e"));
        assertThat(done.requestCounts().orElseThrow().completed()).isEqualTo(3);
        assertThat(done.requestCounts().orElseThrow().failed()).isEqualTo(2);
        assertThat(done.completedAt()).isPresent();
        assertThat(done.usage().orElseThrow().totalTokens()).isPositive();

        List<JsonNode> output = content(openai, done.outputFileId().orElseThrow());
        assertThat(output).extracting(l -> l.get("custom_id").asString()).containsExactly("ok-1", "ok-2", "ok-3");
        for (JsonNode line : output) {
            assertThat(line.get("id").asString()).startsWith("batch_req_");
            assertThat(line.get("response").get("status_code").asInt()).isEqualTo(200);
            assertThat(line.get("response").get("request_id").asString()).isNotBlank();
            assertThat(line.get("response").get("body").get("choices").isArray())
                    .isTrue();
            assertThat(line.get("error").isNull()).isTrue();
        }
        List<JsonNode> errors = content(openai, done.errorFileId().orElseThrow());
        assertThat(errors).extracting(l -> l.get("custom_id").asString()).containsExactly("bad-1", "bad-2");
        assertThat(errors).allSatisfy(ResultLines::assertProviderRefusal);
        FileObject outputFile = openai.files().retrieve(done.outputFileId().orElseThrow());
        assertThat(outputFile.purpose()).isEqualTo(FileObject.Purpose.BATCH_OUTPUT);
        assertThat(openai.files().list().data())
                .extracting(FileObject::id)
                .containsExactlyInAnyOrder(
                        done.outputFileId().orElseThrow(), done.errorFileId().orElseThrow());
    }

    @Test
    void batchWhoseEveryLineFailsStillHasAnEmptyOutputFile() {
        OpenAIClient openai = client("all-failed");
        FileObject file = upload(openai, "bad.jsonl", line("bad-1", null) + line("bad-2", null));
        Batch created = openai.batches().create(chatBatch(file.id()).build());

        Batch done = awaitStatus(openai, created.id(), Batch.Status.COMPLETED);

        assertThat(done.requestCounts().orElseThrow().failed()).isEqualTo(2);
        assertThat(content(openai, done.outputFileId().orElseThrow())).isEmpty();
        assertThat(openai.files().retrieve(done.outputFileId().orElseThrow()).bytes())
                .isZero();
        assertThat(content(openai, done.errorFileId().orElseThrow())).hasSize(2);
    }

    @Test
    void cancelledBatchEndsCancelledWithItsUnrunLinesInTheErrorFile() {
        OpenAIClient openai = client("cancel");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            lines.append(line("c-" + i, "line " + i));
        }
        FileObject file = upload(openai, "many.jsonl", lines.toString());
        Batch created = openai.batches().create(chatBatch(file.id()).build());

        Batch cancelling = openai.batches().cancel(created.id());
        assertThat(cancelling.status()).isIn(Batch.Status.CANCELLING, Batch.Status.CANCELLED);
        assertThat(cancelling.cancellingAt()).isPresent();

        Batch cancelled = awaitStatus(openai, created.id(), Batch.Status.CANCELLED);
        cancelled.validate();
        long failed = cancelled.requestCounts().orElseThrow().failed();
        assertThat(failed).isPositive();
        assertThat(cancelled.requestCounts().orElseThrow().completed() + failed).isEqualTo(2_000);
        List<JsonNode> errors = content(openai, cancelled.errorFileId().orElseThrow());
        assertThat(errors).hasSize((int) failed);
        assertThat(errors).allSatisfy(line -> {
            assertThat(line.get("response").isNull()).isTrue();
            assertThat(line.get("error").get("code").asString()).isEqualTo("batch_cancelled");
        });
    }

    @Test
    void listWalksEveryPageWithTheAutoPager() {
        OpenAIClient openai = client("pager");
        FileObject file = upload(openai, "one.jsonl", line("only", "x"));
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            created.add(openai.batches().create(chatBatch(file.id()).build()).id());
        }

        List<String> listed = new ArrayList<>();
        openai.batches()
                .list(BatchListParams.builder().limit(10).build())
                .autoPager()
                .forEach(batch -> listed.add(batch.id()));

        assertThat(listed).isEqualTo(created.reversed());
        var firstPage =
                openai.batches().list(BatchListParams.builder().limit(10).build());
        assertThat(firstPage.data()).hasSize(10);
        assertThat(firstPage.hasMore()).contains(true);
    }

    @Test
    void inlineBatchesAreReadableThroughTheSdkToo() {
        String key = stack.newTenantKey("inline");
        OpenAIClient openai = sdk(key);
        Http.Response inline = stack.client(key)
                .post(
                        "/v1/batches",
                        Map.of(
                                "endpoint",
                                "/v1/chat/completions",
                                "requests",
                                List.of(Map.of(
                                        "custom_id",
                                        "i-1",
                                        "body",
                                        Map.of(
                                                "model",
                                                MODEL,
                                                "messages",
                                                List.of(Map.of("role", "user", "content", "inline")))))));
        assertThat(inline.status()).as(inline.body()).isEqualTo(200);
        String id = inline.json().get("id").asString();

        Batch done = awaitStatus(openai, id, Batch.Status.COMPLETED);

        assertThat(done.requestCounts().orElseThrow().completed()).isEqualTo(1);
        assertThat(content(openai, done.outputFileId().orElseThrow())).hasSize(1);
        List<Batch> listed = openai.batches().list().data();
        assertThat(listed).extracting(Batch::id).containsExactly(id);
        // An inline batch has an input file too, rendered from its requests, so the SDK's required field holds.
        done.validate();
        listed.getFirst().validate();
        String inputFileId = done.inputFileId();
        assertThat(listed.getFirst().inputFileId()).isEqualTo(inputFileId);
        FileObject inputFile = openai.files().retrieve(inputFileId);
        assertThat(inputFile.validate().purpose()).isEqualTo(FileObject.Purpose.BATCH);
        List<JsonNode> lines = content(openai, inputFileId);
        assertThat(lines).hasSize(1);
        assertThat(lines.getFirst().get("custom_id").asString()).isEqualTo("i-1");
        assertThat(lines.getFirst().get("url").asString()).isEqualTo("/v1/chat/completions");
        assertThat(lines.getFirst()
                        .get("body")
                        .get("messages")
                        .get(0)
                        .get("content")
                        .asString())
                .isEqualTo("inline");
    }

    @Test
    void fileWithABadLineIsRefusedAndNoBatchIsCreated() {
        OpenAIClient openai = client("refused");
        String lines = line("a", "fine") + line("b", "fine") + line("a", "same custom_id again");
        FileObject file = upload(openai, "dup.jsonl", lines);

        assertThatThrownBy(() -> openai.batches().create(chatBatch(file.id()).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.param()).contains("line[3].custom_id");
                    assertThat(e.code()).contains("duplicate_custom_id");
                    assertThat(e.getMessage()).contains("line 3");
                });
        assertThat(openai.batches().list().data()).isEmpty();
    }

    /** Uploads {@code lines} as a batch input file called {@code name}. */
    private static FileObject upload(OpenAIClient openai, String name, String lines) {
        return openai.files()
                .create(FileCreateParams.builder()
                        .file(jsonl(name, lines))
                        .purpose(FilePurpose.BATCH)
                        .build());
    }

    /** A batch of chat completions over the file, within 24 h. */
    private static BatchCreateParams.Builder chatBatch(String fileId) {
        return BatchCreateParams.builder()
                .inputFileId(fileId)
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H);
    }

    /** An SDK client as a user configures it: only the base URL and the key differ from OpenAI's. */
    private static OpenAIClient client(String tenant) {
        return sdk(stack.newTenantKey(tenant));
    }

    private static OpenAIClient sdk(String apiKey) {
        return Sdk.client(stack, apiKey);
    }

    /** One chat line; a null prompt sends an empty {@code messages} array, which the provider refuses with 400. */
    private static String line(String customId, String prompt) {
        String messages = prompt == null ? "[]" : "[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]";
        return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
                + "{\"model\":\"" + MODEL + "\",\"messages\":" + messages + "}}\n";
    }

    private static MultipartField<InputStream> jsonl(String filename, String content) {
        return MultipartField.<InputStream>builder()
                .value(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)))
                .filename(filename)
                .build();
    }

    private static Batch awaitStatus(OpenAIClient openai, String batchId, Batch.Status status) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(
                        () -> assertThat(openai.batches().retrieve(batchId).status())
                                .as(stack::logs)
                                .isEqualTo(status));
        return openai.batches().retrieve(batchId);
    }

    /** The file's content through the SDK, one parsed JSON object per line. */
    private static List<JsonNode> content(OpenAIClient openai, String fileId) {
        List<JsonNode> lines = new ArrayList<>();
        try (HttpResponse response = openai.files().content(fileId);
                BufferedReader reader =
                        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                lines.add(Http.JSON.readTree(text));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }
}
