package dev.sluice.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.BatchStatus;
import dev.sluice.common.Limit;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import dev.sluice.worker.pacing.ModelLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Weighted fair share between tenants on a contended model, as the jobs actually ran: each test pauses its model,
 * lets several tenants queue work, resumes it, and reads which tenant's jobs went in each burst (jobs that started
 * within a few hundred milliseconds of each other: a window's slots open together, the next ones a window later)
 * and over the time all of them had work. The provider's own count shows the limit held. Each test has a model no
 * other test of this module uses, and limits below the shared simulator's 5/2s, so it leaves no 429 behind.
 */
class FairShareIT extends WorkerIntegrationTest {

    @Autowired
    ModelRepository models;

    @Autowired
    ModelLimits limits;

    @Autowired
    JdbcClient jdbc;

    @Test
    void twoTenantsShareAModelByHalvesWithinOneWindow() {
        String model = "mistralai/codestral-2501";
        pauseWith(model, "4/2s");
        SubmittedBatch a = submissions.batch().chats(model, 14).submit();
        SubmittedBatch b = submissions.batch().chats(model, 14).submit();
        resume(model, a, b);

        List<List<JobRow>> bursts = bursts(jobsByStart(a, b));
        // While both wait (the first 24 starts), each burst splits by halves (within one job), and so does the whole.
        for (List<JobRow> burst : whileAllWait(bursts, 24)) {
            Map<String, Long> counts = counts(burst);
            assertThat(Math.abs(counts.getOrDefault(a.tenantId(), 0L) - counts.getOrDefault(b.tenantId(), 0L)))
                    .as("a burst of %s", counts)
                    .isLessThanOrEqualTo(1);
        }
        assertThat(counts(first(bursts, 24))).containsEntry(a.tenantId(), 12L).containsEntry(b.tenantId(), 12L);
        assertThat(SIMULATOR.stats().model(model).maxInAnyWindow()).isLessThanOrEqualTo(4);
        assertThat(SIMULATOR.stats().model(model).rateLimited()).isZero();
    }

    @Test
    void weightsThreeToOneGiveThreeToOne() {
        String model = "mistralai/pixtral-12b";
        pauseWith(model, "4/2s");
        SubmittedBatch heavy = submissions.batch().chats(model, 12).submit();
        SubmittedBatch light = submissions.batch().chats(model, 12).submit();
        jdbc.sql("UPDATE tenants SET weight = 3 WHERE id = :id")
                .param("id", heavy.tenantId())
                .update();
        resume(model, heavy, light);

        // While both wait (the first 16 starts: the heavy tenant's 12 and 4 of the light one's), 3 to 1, and about
        // so in every burst.
        List<List<JobRow>> bursts = bursts(jobsByStart(heavy, light));
        assertThat(counts(first(bursts, 16)))
                .containsEntry(heavy.tenantId(), 12L)
                .containsEntry(light.tenantId(), 4L);
        for (List<JobRow> burst : whileAllWait(bursts, 16)) {
            Map<String, Long> counts = counts(burst);
            assertThat(Math.abs(
                            counts.getOrDefault(heavy.tenantId(), 0L) - 3 * counts.getOrDefault(light.tenantId(), 0L)))
                    .as("a burst of %s", counts)
                    .isLessThanOrEqualTo(3);
        }
    }

    @Test
    void aTenantsPriorityOrdersOnlyItsOwnJobs() {
        String model = "qwen/qwen3-235b-a22b";
        pauseWith(model, "4/2s");
        // Tenant A queues eight ordinary jobs, then two urgent ones behind them; tenant B has four ordinary jobs.
        SubmittedBatch ordinary = submissions.batch().chats(model, 8).submit();
        SubmittedBatch urgent = submissions
                .batch()
                .ofTenant(ordinary.tenantId())
                .priority(9)
                .chats(model, 2)
                .submit();
        SubmittedBatch other = submissions.batch().chats(model, 4).submit();
        resume(model, ordinary, urgent, other);

        List<JobRow> byStart = jobsByStart(ordinary, urgent, other);
        List<JobRow> first = byStart.subList(0, 4);
        // The first burst: A's two urgent jobs overtake A's own queue, and B still gets its half.
        assertThat(first)
                .filteredOn(job -> job.tenantId().equals(ordinary.tenantId()))
                .extracting(JobRow::priority)
                .containsExactly(9, 9);
        assertThat(first)
                .filteredOn(job -> job.tenantId().equals(other.tenantId()))
                .hasSize(2);
        assertThat(byStart.subList(4, 14)).extracting(JobRow::priority).containsOnly(0);
        assertThat(SIMULATOR.stats().model(model).maxInAnyWindow()).isLessThanOrEqualTo(4);
    }

    private void pauseWith(String model, String limit) {
        models.configure(model, List.of(Limit.parse(limit)), null, null, Instant.now());
        models.setPaused(model, true, Instant.now());
        await().atMost(Duration.ofSeconds(10)).until(() -> limits.paused(model));
    }

    private void resume(String model, SubmittedBatch... batches) {
        models.setPaused(model, false, Instant.now());
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        Arrays.stream(batches).allMatch(batch -> batch(batch).status() == BatchStatus.COMPLETED));
    }

    private List<JobRow> jobsByStart(SubmittedBatch... batches) {
        return Arrays.stream(batches)
                .flatMap(batch -> batch.jobIds().stream().map(id -> job(batch, id)))
                .sorted(Comparator.comparing(JobRow::startedAt))
                .toList();
    }

    /** Jobs in start order, cut where two starts are more than 300 ms apart. */
    private static List<List<JobRow>> bursts(List<JobRow> byStart) {
        List<List<JobRow>> bursts = new ArrayList<>();
        Instant last = null;
        for (JobRow job : byStart) {
            if (last == null || Duration.between(last, job.startedAt()).toMillis() > 300) {
                bursts.add(new ArrayList<>());
            }
            bursts.getLast().add(job);
            last = job.startedAt();
        }
        return bursts;
    }

    /** The whole bursts among the first {@code starts} jobs. */
    private static List<List<JobRow>> whileAllWait(List<List<JobRow>> bursts, int starts) {
        List<List<JobRow>> whole = new ArrayList<>();
        int seen = 0;
        for (List<JobRow> burst : bursts) {
            seen += burst.size();
            if (seen > starts) {
                break;
            }
            whole.add(burst);
        }
        assertThat(whole).as("bursts while all wait").hasSizeGreaterThanOrEqualTo(2);
        return whole;
    }

    /** The first {@code starts} jobs to start. */
    private static List<JobRow> first(List<List<JobRow>> bursts, int starts) {
        return bursts.stream().flatMap(List::stream).limit(starts).toList();
    }

    private static Map<String, Long> counts(List<JobRow> jobs) {
        return jobs.stream().collect(Collectors.groupingBy(JobRow::tenantId, Collectors.counting()));
    }
}
