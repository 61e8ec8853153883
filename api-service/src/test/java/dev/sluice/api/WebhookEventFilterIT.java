package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.FinishedJobs.finish;
import static dev.sluice.api.Uploads.anUpload;
import static dev.sluice.api.Uploads.chatLines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.db.webhook.WebhookEventRepository;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The optional {@code webhook_events} filter on {@code POST /v1/batches} (inline and from a file) and
 * {@code POST /v1/jobs}: checked against its subject's closed set of types, stored and shown, part of the
 * Idempotency-Key's request, and honoured by the outbox sweep (the worker's delivery is in WebhookDeliveryIT).
 */
class WebhookEventFilterIT extends ApiTestBase {

    private static final String HOOK = "https://hooks.example.com/x";

    @Autowired
    private WebhookEventRepository events;

    static Stream<Arguments> badBatchFilters() {
        return Stream.of(
                Arguments.of("[\"batch.started\"]", HOOK, "invalid_webhook_events"),
                Arguments.of("[\"job.succeeded\"]", HOOK, "invalid_webhook_events"),
                Arguments.of("[\"batch.completed\", 3]", HOOK, "invalid_webhook_events"),
                Arguments.of("[]", HOOK, "invalid_webhook_events"),
                Arguments.of("\"batch.completed\"", HOOK, "invalid_type"),
                Arguments.of("{\"type\": \"batch.completed\"}", HOOK, "invalid_type"),
                Arguments.of("[\"batch.completed\"]", null, "webhook_events_without_url"));
    }

    @ParameterizedTest
    @MethodSource("badBatchFilters")
    void aBadFilterOnAnInlineBatchIsA400NamingItAndStoresNothing(String filter, String url, String code) {
        String key = newTenantKey();
        String body =
                withFilter(aChatBatch().request("a", uniqueModel("filter")).json(), filter, url);

        assertRefusedWithNothingStored(() -> post("/v1/batches", key, body), code);
    }

    @ParameterizedTest
    @MethodSource("badBatchFilters")
    void aBadFilterOnABatchFromAFileIsA400NamingItAndStoresNothing(String filter, String url, String code) {
        String key = newTenantKey();
        String fileId = expect(
                        200,
                        send(anUpload()
                                .file("in.jsonl", chatLines(2, uniqueModel("filter-file")))
                                .request(request("/v1/files", key))))
                .json()
                .get("id")
                .asString();
        String body = withFilter(
                "{\"input_file_id\":\"" + fileId + "\",\"endpoint\":\"/v1/chat/completions\","
                        + "\"completion_window\":\"24h\"}",
                filter,
                url);

        assertRefusedWithNothingStored(() -> post("/v1/batches", key, body), code);
    }

    static Stream<Arguments> badJobFilters() {
        return Stream.of(
                Arguments.of("[\"job.completed\"]", HOOK, "invalid_webhook_events"),
                Arguments.of("[\"batch.completed\"]", HOOK, "invalid_webhook_events"),
                Arguments.of("[]", HOOK, "invalid_webhook_events"),
                Arguments.of("[null]", HOOK, "invalid_webhook_events"),
                Arguments.of("\"job.succeeded\"", HOOK, "invalid_type"),
                Arguments.of("[\"job.failed\"]", null, "webhook_events_without_url"));
    }

    @ParameterizedTest
    @MethodSource("badJobFilters")
    void aBadFilterOnASingleJobIsA400NamingItAndStoresNothing(String filter, String url, String code) {
        String key = newTenantKey();
        String body = withFilter(
                "{\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"" + uniqueModel("filter-job") + "\"}}",
                filter,
                url);

        assertRefusedWithNothingStored(() -> post("/v1/jobs", key, body), code);
    }

    @Test
    void theFilterIsStoredAndShownOnTheBatchAndTheJobAndAbsentMeansEveryType() {
        String key = newTenantKey();
        JsonNode batch = expect(
                        200,
                        post(
                                "/v1/batches",
                                key,
                                aChatBatch()
                                        .request("a", uniqueModel("shown"))
                                        .with("webhook_url", HOOK)
                                        .with(
                                                "webhook_events",
                                                List.of("batch.failed", "batch.expired", "batch.failed"))
                                        .json()))
                .json();
        JsonNode job = expect(
                        202,
                        post(
                                "/v1/jobs",
                                key,
                                "{\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\""
                                        + uniqueModel("shown-job") + "\"},\"webhook_url\":\"" + HOOK
                                        + "\",\"webhook_events\":[\"job.succeeded\"]}"))
                .json();
        JsonNode plain = expect(
                        200,
                        post(
                                "/v1/batches",
                                key,
                                aChatBatch()
                                        .request("a", uniqueModel("plain"))
                                        .with("webhook_url", HOOK)
                                        .json()))
                .json();

        // Duplicates are dropped, the order given is kept.
        assertThat(types(batch)).containsExactly("batch.failed", "batch.expired");
        assertThat(types(expect(200, get("/v1/batches/" + batch.get("id").asString(), key))
                        .json()))
                .containsExactly("batch.failed", "batch.expired");
        assertThat(types(job)).containsExactly("job.succeeded");
        assertThat(types(expect(200, get("/v1/jobs/" + job.get("id").asString(), key))
                        .json()))
                .containsExactly("job.succeeded");
        assertThat(plain.get("webhook_events").isNull()).isTrue();
    }

    @Test
    void theFilterIsPartOfTheIdempotencyKeysRequest() {
        String key = newTenantKey();
        String model = uniqueModel("filter-idem");
        String body = aChatBatch()
                .request("a", model)
                .with("webhook_url", HOOK)
                .with("webhook_events", List.of("batch.completed"))
                .json();
        expect(200, postWithKey("/v1/batches", key, "filter-key", body));

        Reply refused = expect(
                409, postWithKey("/v1/batches", key, "filter-key", body.replace("batch.completed", "batch.failed")));

        assertThat(refused.error().get("code").asString()).isEqualTo("idempotency_key_reused");
    }

    @Test
    void aSubjectWhoseTypeIsFilteredOutGetsNoEventAndIsSweptOnceWhileAnAllowedOneGetsItsEvent() {
        String key = newTenantKey();
        String skipped = completedBatch(key, List.of("batch.failed"));
        String wanted = completedBatch(key, List.of("batch.completed", "batch.failed"));

        events.createPending(Instant.now(), 1000);

        assertThat(eventTypesOf(skipped)).isEmpty();
        assertThat(eventTypesOf(wanted)).containsExactly("batch.completed");
        assertThat(jdbc.sql("SELECT webhook_event_id FROM batches WHERE id = :id")
                        .param("id", skipped)
                        .query(String.class)
                        .single())
                .isEqualTo(WebhookEventRepository.FILTERED_OUT);
        // Marked: a later sweep does not pick it up again.
        assertThat(jdbc.sql("""
                SELECT count(*) FROM batches WHERE id = :id AND webhook_event_id IS NULL""").param("id", skipped).query(Long.class).single())
                .isZero();
    }

    private String completedBatch(String key, List<String> filter) {
        String id = createBatch(
                key,
                aChatBatch()
                        .request("a", uniqueModel("swept"))
                        .with("webhook_url", HOOK)
                        .with("webhook_events", filter)
                        .json());
        finish(jdbc).succeeded(id, 1);
        completeBatch(id, null, null);
        return id;
    }

    private List<String> eventTypesOf(String subjectId) {
        return jdbc.sql("SELECT type FROM webhook_events WHERE subject_id = :id")
                .param("id", subjectId)
                .query(String.class)
                .list();
    }

    private static List<String> types(JsonNode subject) {
        return subject.get("webhook_events")
                .valueStream()
                .map(JsonNode::asString)
                .toList();
    }

    private static String withFilter(String body, String filter, String url) {
        String extra = "\"webhook_events\":" + filter + (url == null ? "" : ",\"webhook_url\":\"" + url + "\"");
        return body.substring(0, body.lastIndexOf('}')) + "," + extra + "}";
    }

    private void assertRefusedWithNothingStored(Supplier<Reply> call, String code) {
        long batchesBefore = rows("batches");
        long jobsBefore = rows("jobs");

        Reply reply = expect(400, call.get());

        assertThat(reply.error().get("param").asString()).isEqualTo("webhook_events");
        assertThat(reply.error().get("code").asString()).isEqualTo(code);
        assertThat(rows("batches")).isEqualTo(batchesBefore);
        assertThat(rows("jobs")).isEqualTo(jobsBefore);
    }
}
