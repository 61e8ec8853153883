package dev.sluice.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.BatchStatus;
import dev.sluice.common.JobStatus;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.batch.Usage;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.FileRow;
import dev.sluice.db.file.ResultKind;
import dev.sluice.db.job.JobRow;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import dev.sluice.worker.finalization.BatchFinalizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

class BatchExecutionIT extends WorkerIntegrationTest {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    @Autowired
    private FileRepository files;

    @Autowired
    private BatchFinalizer finalizer;

    @Test
    void aBatchAcrossTheThreeEndpointsSucceedsAndIsFinalisedOnce() {
        SubmittedBatch submitted = submissions
                .batch()
                .chat("openai/gpt-4o-mini", "Say hello")
                .completion("openai/gpt-3.5-turbo-instruct", "Once upon a time")
                .embedding("openai/text-embedding-3-small", "a sluice gate")
                .chat("openai/gpt-4o-mini", "Say goodbye")
                .submit();

        BatchRow batch = awaitCompleted(submitted);

        List<JobRow> jobRows =
                submitted.jobIds().stream().map(id -> job(submitted, id)).toList();
        assertThat(jobRows).allSatisfy(job -> {
            assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(job.attempts()).isEqualTo(1);
            assertThat(job.responseStatus()).isEqualTo(200);
            assertThat(JSON.readTree(job.responseBody()).path("model").stringValue())
                    .isEqualTo(job.model());
            assertThat(job.promptTokens()).isPositive();
            assertThat(job.totalTokens()).isPositive();
            assertThat(job.latencyMs()).isNotNull().isNotNegative();
            assertThat(job.completedAt()).isNotNull();
        });
        JobRow embedding = jobRows.get(2);
        assertThat(embedding.completionTokens()).isNull();
        assertThat(jobRows.get(0).completionTokens()).isPositive();

        assertThat(batch.requestCompleted()).isEqualTo(4);
        assertThat(batch.requestFailed()).isZero();
        assertThat(batch.errorFileId()).isNull();
        assertThat(batch.usage())
                .isEqualTo(new Usage(
                        jobRows.stream().mapToLong(JobRow::promptTokens).sum(),
                        jobRows.stream()
                                .mapToLong(job -> job.completionTokens() == null ? 0 : job.completionTokens())
                                .sum(),
                        jobRows.stream().mapToLong(JobRow::totalTokens).sum()));

        String output = results(submitted, ResultKind.OUTPUT);
        List<JsonNode> lines = output.lines().map(JSON::readTree).toList();
        assertThat(lines)
                .extracting(line -> line.path("custom_id").stringValue())
                .containsExactly("request-1", "request-2", "request-3", "request-4");
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i).path("response").path("status_code").intValue())
                    .isEqualTo(200);
            assertThat(lines.get(i).path("response").path("body"))
                    .isEqualTo(JSON.readTree(jobRows.get(i).responseBody()));
            assertThat(lines.get(i).path("error").isNull()).isTrue();
        }
        // Sized by the finaliser once the batch has settled, as the bytes a download gets.
        FileRow outputFile = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> apiReads.file(submitted.tenantId(), batch.outputFileId())
                                .orElseThrow(),
                        file -> file.bytes() != null);
        assertThat(outputFile.bytes()).isEqualTo(output.getBytes(StandardCharsets.UTF_8).length);
        assertThat(outputFile.filename()).isEqualTo(submitted.batchId() + "_output.jsonl");

        // Once: neither the sweep nor a late job's finaliser touches a completed batch again.
        finalizer.runOnce();
        finalizer.afterJobFinished(submitted.batchId());
        assertThat(batch(submitted)).isEqualTo(batch);
    }

    @Test
    void aJobTheProviderRefusesFailsAtOnceWithTheProvidersAnswerKept() {
        SubmittedBatch submitted = submissions
                .batch()
                .chat("openai/gpt-4o", "fine")
                .chat("acme/no-such-model", "refused")
                .submit();

        BatchRow batch = awaitCompleted(submitted);

        JobRow refused = job(submitted, submitted.jobIds().get(1));
        assertThat(refused.status()).isEqualTo(JobStatus.FAILED);
        assertThat(refused.attempts()).isEqualTo(1);
        assertThat(refused.responseStatus()).isEqualTo(400);
        assertThat(JSON.readTree(refused.responseBody())
                        .path("error")
                        .path("message")
                        .stringValue())
                .contains("acme/no-such-model");
        assertThat(refused.errorCode()).isNull();

        assertThat(batch.requestCompleted()).isEqualTo(1);
        assertThat(batch.requestFailed()).isEqualTo(1);
        assertThat(batch.errorFileId()).isNotNull();
        List<JsonNode> errors =
                results(submitted, ResultKind.ERROR).lines().map(JSON::readTree).toList();
        assertThat(errors).singleElement().satisfies(line -> {
            assertThat(line.path("custom_id").stringValue()).isEqualTo("request-2");
            assertThat(line.path("response").path("status_code").intValue()).isEqualTo(400);
            assertThat(line.path("response").path("body")).isEqualTo(JSON.readTree(refused.responseBody()));
            assertThat(line.path("error").isNull()).isTrue();
        });
        assertThat(results(submitted, ResultKind.OUTPUT).lines()).hasSize(1);
    }

    @Test
    void aDuplicateMessageMakesNoSecondUpstreamCall() {
        String model = "anthropic/claude-3-5-haiku";
        SubmittedBatch submitted = submissions.batch().chat(model, "only once").store();
        submissions.publish(submitted.messages().getFirst());
        submissions.publish(submitted.messages().getFirst());

        awaitCompleted(submitted);

        JobRow job = job(submitted, submitted.jobIds().getFirst());
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.attempts()).isEqualTo(1);
        // The second message is dropped after a claim that finds nothing; give it time to do anything else.
        await().during(Duration.ofMillis(700))
                .atMost(Duration.ofSeconds(3))
                .until(() -> SIMULATOR.stats().model(model).requests() == 1);
    }

    private BatchRow awaitCompleted(SubmittedBatch submitted) {
        return await().atMost(Duration.ofSeconds(30))
                .until(() -> batch(submitted), batch -> batch.status() == BatchStatus.COMPLETED);
    }

    private String results(SubmittedBatch submitted, ResultKind kind) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        files.writeResults(submitted.batchId(), kind, out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
