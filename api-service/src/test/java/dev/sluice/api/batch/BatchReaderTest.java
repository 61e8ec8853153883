package dev.sluice.api.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.job.JobRequest;
import dev.sluice.api.web.ApiException;
import dev.sluice.common.Endpoint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class BatchReaderTest {

    private static final ApiProperties.Input LIMITS = new ApiProperties.Input(
            DataSize.ofMegabytes(1),
            3,
            10,
            2,
            8,
            16,
            Duration.ofHours(24),
            DataSize.ofMegabytes(200),
            DataSize.ofMegabytes(10));

    private final BatchReader reader = new BatchReader(LIMITS, (model, param, where) -> {});

    @Test
    void readsAnInlineBatchKeepingEachBodyVerbatim() {
        InlineBatch batch = read("""
                {"endpoint": "/v1/embeddings", "requests": [
                  {"custom_id": "a", "method": "POST", "url": "/v1/embeddings", "body": {"model": "m-1", "input": "x"}},
                  {"custom_id": "b", "body": {  "input" : ["\u00e9\u00e8 \\u00e9", {"nested": {"model": 5}}],
                     "model":"m-2"  }}
                ], "metadata": {"k": "v"}}""");

        assertThat(batch.endpoint()).isEqualTo(Endpoint.EMBEDDINGS);
        assertThat(batch.completionWindow()).isEqualTo("24h");
        assertThat(batch.window()).isEqualTo(Duration.ofHours(24));
        assertThat(batch.priority()).isZero();
        assertThat(batch.metadataJson()).isEqualTo("{\"k\":\"v\"}");
        assertThat(batch.requests()).extracting(JobRequest::customId).containsExactly("a", "b");
        assertThat(batch.requests()).extracting(JobRequest::model).containsExactly("m-1", "m-2");
        assertThat(batch.requests().get(0).body()).isEqualTo("{\"model\": \"m-1\", \"input\": \"x\"}");
        assertThat(batch.requests().get(1).body()).isEqualTo("""
                {  "input" : ["\u00e9\u00e8 \\u00e9", {"nested": {"model": 5}}],
                     "model":"m-2"  }""");
    }

    @Test
    void bodiesAreSlicedRightAfterAByteOrderMark() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] json =
                "{\"endpoint\":\"/v1/completions\",\"requests\":[{\"custom_id\":\"a\",\"body\":{\"model\":\"m\"}}]}"
                        .getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[bom.length + json.length];
        System.arraycopy(bom, 0, body, 0, bom.length);
        System.arraycopy(json, 0, body, bom.length, json.length);

        assertThat(reader.read(body, fileId -> {
                            throw new AssertionError("no input file here");
                        })
                        .requests()
                        .getFirst()
                        .body())
                .isEqualTo("{\"model\":\"m\"}");
    }

    @Test
    void fieldsMayComeInAnyOrder() {
        InlineBatch batch = read("""
                {"requests": [{"body": {"model": "m"}, "url": "/v1/completions", "custom_id": "a"}],
                 "priority": 7, "completion_window": "90m", "endpoint": "/v1/completions"}""");

        assertThat(batch.priority()).isEqualTo(7);
        assertThat(batch.window()).isEqualTo(Duration.ofMinutes(90));
    }

    @Test
    void refusesMoreRequestsThanTheLimit() {
        assertRefused("""
                {"endpoint": "/v1/completions", "requests": [
                  {"custom_id": "a", "body": {"model": "m"}}, {"custom_id": "b", "body": {"model": "m"}},
                  {"custom_id": "c", "body": {"model": "m"}}, {"custom_id": "d", "body": {"model": "m"}}]}""", "requests", "batch_too_large");
    }

    @Test
    void refusesCustomIdsAndMetadataOverTheConfiguredLengths() {
        assertRefused("""
                {"endpoint": "/v1/completions", "requests": [{"custom_id": "12345678901", "body": {"model": "m"}}]}""", "requests[0].custom_id", "invalid_custom_id");
        assertRefused("""
                {"endpoint": "/v1/completions", "requests": [{"custom_id": "a", "body": {"model": "m"}}],
                 "metadata": {"a": "1", "b": "2", "c": "3"}}""", "metadata", "invalid_metadata");
        assertRefused("""
                {"endpoint": "/v1/completions", "requests": [{"custom_id": "a", "body": {"model": "m"}}],
                 "metadata": {"a": "12345678901234567"}}""", "metadata.a", "invalid_metadata");
    }

    @Test
    void namesTheLineOfABadRequest() {
        ApiException refused = refusal("""
                {"endpoint": "/v1/completions", "requests": [
                  {"custom_id": "a", "body": {"model": "m"}}, {"custom_id": "b", "body": {"prompt": "no model"}}]}""");

        assertThat(refused.param()).isEqualTo("requests[1].body.model");
        assertThat(refused.code()).isEqualTo("missing_model");
        assertThat(refused.getMessage()).contains("line 2");
    }

    @Test
    void checksAnInputFileOnlyOnceTheRestOfTheBodyPassedAndLeavesItsLinesToBeStored() {
        List<String> asked = new ArrayList<>();
        InlineBatch batch = reader.read(
                ("{\"endpoint\": \"/v1/completions\", \"input_file_id\": \"file-1\", "
                                + "\"metadata\": {\"k\": \"v\"}}")
                        .getBytes(StandardCharsets.UTF_8),
                asked::add);
        assertThat(asked).containsExactly("file-1");
        assertThat(batch.inputFileId()).isEqualTo("file-1");
        assertThat(batch.endpoint().path()).isEqualTo("/v1/completions");
        assertThat(batch.requests()).isNull();
        assertRefused("{\"endpoint\": \"/v1/nowhere\", \"input_file_id\": \"file-1\"}", "endpoint", "invalid_endpoint");
    }

    @Test
    void refusesBothAnInputFileAndInlineRequests() {
        assertRefused("{\"endpoint\": \"/v1/completions\"}", "input_file_id", "missing_input");
        assertRefused(
                "{\"endpoint\": \"/v1/completions\", \"input_file_id\": \"file-1\", \"requests\": "
                        + "[{\"custom_id\": \"a\", \"body\": {\"model\": \"m\"}}]}",
                "input_file_id",
                "conflicting_input");
    }

    private InlineBatch read(String json) {
        return reader.read(json.getBytes(StandardCharsets.UTF_8), fileId -> {
            throw new AssertionError("no input file should be read for " + json);
        });
    }

    private ApiException refusal(String json) {
        try {
            read(json);
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("expected a refusal of " + json);
    }

    private void assertRefused(String json, String param, String code) {
        assertThatThrownBy(() -> read(json)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.param()).isEqualTo(param);
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.status().value()).isEqualTo(400);
        });
    }
}
