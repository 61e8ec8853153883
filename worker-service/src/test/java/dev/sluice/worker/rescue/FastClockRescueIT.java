package dev.sluice.worker.rescue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.JobStatus;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A worker whose clock runs ten minutes fast, next to one whose clock is right: leases are reckoned on the
 * database's clock, so the fast one does not take back a job the other is still running.
 */
@Import(FastClockRescueIT.FastClock.class)
class FastClockRescueIT extends WorkerIntegrationTest {

    private static final Duration FAST_BY = Duration.ofMinutes(10);

    /** This test's worker: every bean that asks for the time gets it ten minutes ahead. */
    @TestConfiguration
    static class FastClock {

        @Bean
        @Primary
        InstantSource fastInstantSource() {
            InstantSource system = InstantSource.system();
            return () -> system.instant().plus(FAST_BY);
        }
    }

    @Autowired
    private LeaseRescuer rescuer;

    @Autowired
    private JdbcClient jdbc;

    @Test
    void aWorkerWhoseClockRunsFastDoesNotRescueAJobWithinItsLease() {
        SubmittedBatch submitted =
                submissions.batch().chat("deepseek/fast-clock", "still running").store();
        String jobId = submitted.jobIds().getFirst();
        // Another worker, whose clock is right, claimed it a moment ago for a minute.
        assertThat(jdbc.sql(LeaseRescuerIT.RUNNING_UNDER_ANOTHER_CLAIM)
                        .param("id", jobId)
                        .param("attempts", 1)
                        .param("leaseLeftMillis", Duration.ofMinutes(1).toMillis())
                        .update())
                .isEqualTo(1);

        rescuer.runOnce();

        assertThat(job(submitted, jobId).status()).isEqualTo(JobStatus.RUNNING);
        assertThat(jdbc.sql("SELECT lease_owner FROM jobs WHERE id = :id")
                        .param("id", jobId)
                        .query(String.class)
                        .single())
                .isEqualTo("worker-elsewhere/claim");
    }
}
