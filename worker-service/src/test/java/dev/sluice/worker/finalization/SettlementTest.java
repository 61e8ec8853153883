package dev.sluice.worker.finalization;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.ResultKind;
import dev.sluice.db.job.Outcome;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
    static final Outcome REFUSED = new Outcome(400, "{\"error\":{\"message\":\"bad\"}}", null, null, null, null,
            null, 10);

    @Autowired
    protected BatchFinalizer finalizer;

    @Autowired
    protected FileRepository files;

    /** Claims a queued job and stores a success or a refusal for it, as a worker would. */
    protected void finish(String jobId, boolean succeeded) {
        Instant now = Instant.now();
        jobs.claim(jobId, "test-worker", now.plusSeconds(60), now).orElseThrow();
        assertThat(succeeded ? jobs.markSucceeded(jobId, "test-worker", ANSWER, now)
                : jobs.markFailed(jobId, "test-worker", REFUSED, now)).isTrue();
    }

    /** The batch's result lines of one kind, parsed. */
    protected List<JsonNode> lines(SubmittedBatch submitted, ResultKind kind) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        files.writeResults(submitted.batchId(), kind, out);
        return out.toString(StandardCharsets.UTF_8).lines().map(JSON::readTree).toList();
    }
}
