package dev.sluice.worker.finalization;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import dev.sluice.db.job.Outcome;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fixtures for tests of how a batch is settled: jobs finished by hand, as a worker would, and the
 * result files read back line by line.
 */
abstract class SettlementTest extends WorkerIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What the provider answered to a job that succeeded. */
    static final Outcome ANSWER = new Outcome(200, "{\"object\":\"chat.completion\"}", null, null, 1, 2, 3, 10);
    /** What the provider answered to a job it refused. */
    static final Outcome REFUSED =
            new Outcome(400, "{\"error\":{\"message\":\"bad\"}}", null, null, null, null, null, 10);

    @Autowired
    protected BatchFinalizer finalizer;

    @Autowired
    protected FileRepository files;

    /** Claims a queued job and stores a success or a refusal for it, as a worker would. */
    protected void finish(String jobId, boolean succeeded) {
        Instant now = Instant.now();
        transitions.claim(jobId, "test-worker", Duration.ofSeconds(60)).orElseThrow();
        assertThat(
                        succeeded
                                ? transitions.markSucceeded(jobId, "test-worker", ANSWER, now)
                                : transitions.markFailed(jobId, "test-worker", REFUSED, now))
                .isTrue();
    }

    /**
     * Asserts how a four-line batch settled when line 1 succeeded, line 2 was refused with a 400 and lines 3
     * and 4 were ended by Sluice with {@code errorCode}: counts, usage, and both result files line by line.
     * Returns the error file's lines for further checks.
     */
    protected List<JsonNode> assertSettled(SubmittedBatch submitted, BatchRow batch, String errorCode) {
        assertThat(batch.requestCompleted()).isEqualTo(1);
        assertThat(batch.requestFailed()).isEqualTo(3);
        assertThat(batch.usage().totalTokens()).isEqualTo(3);
        assertThat(batch.outputFileId()).isNotNull();
        assertThat(batch.errorFileId()).isNotNull();

        List<JsonNode> output = lines(submitted, ResultKind.OUTPUT);
        assertThat(output).hasSize(1);
        assertThat(output.getFirst().get("custom_id").asString()).isEqualTo("request-1");
        assertThat(output.getFirst().get("response").get("status_code").asInt()).isEqualTo(200);

        List<JsonNode> errors = lines(submitted, ResultKind.ERROR);
        assertThat(errors)
                .extracting(line -> line.get("custom_id").asString())
                .containsExactly("request-2", "request-3", "request-4");
        assertThat(errors.getFirst().get("response").get("status_code").asInt()).isEqualTo(400);
        assertThat(errors.subList(1, 3)).allSatisfy(line -> {
            assertThat(line.get("response").isNull()).isTrue();
            assertThat(line.get("error").get("code").asString()).isEqualTo(errorCode);
        });
        return errors;
    }

    /** The batch's result lines of one kind, parsed. */
    protected List<JsonNode> lines(SubmittedBatch submitted, ResultKind kind) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        files.writeResults(submitted.batchId(), kind, out);
        return out.toString(StandardCharsets.UTF_8).lines().map(JSON::readTree).toList();
    }
}
