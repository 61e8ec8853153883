package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Ids;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.JobTransitions;
import dev.sluice.db.job.NewJob;
import dev.sluice.db.job.Outcome;
import dev.sluice.db.stream.JobNotifications;
import dev.sluice.db.tenant.QuotaLeaseRepository;
import dev.sluice.db.tenant.TenantEntityRepository;
import dev.sluice.testsupport.TestInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The end of a facade job as the api hears it (V33): the answer rides in the notification when the job succeeded
 * and it fits, the job's id alone otherwise, and the finishing transaction deletes the waiting call's lease taken
 * with the job, and no other.
 */
@SpringBootTest(classes = DbTestApplication.class)
class JobNotificationsIT {

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(1);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    TenantEntityRepository tenants;

    @Autowired
    JobRepository jobs;

    @Autowired
    JobTransitions transitions;

    @Autowired
    QuotaLeaseRepository leases;

    @Autowired
    JobNotifications notifications;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    NamedParameterJdbcOperations pipelined;

    /** What the listener heard: the job's id, and the answer's status and body, or "-" when none was carried. */
    private final LinkedBlockingQueue<List<String>> heard = new LinkedBlockingQueue<>();

    private dev.sluice.db.Listener listener;
    private String tenantId;

    @BeforeEach
    void listen() throws InterruptedException {
        tenantId = Ids.tenant();
        tenants.createTenantWithKey(tenantId, Ids.apiKey(), "t", Ids.random(32).getBytes(), "sk-x", "whsec_x", NOW);
        CountDownLatch listening = new CountDownLatch(1);
        listener = notifications.listener("notifications-it", new JobNotifications.Listener() {
            @Override
            public void listening() {
                listening.countDown();
            }

            @Override
            public void finished(String jobId, JobNotifications.Answer answer) {
                heard.add(
                        answer == null
                                ? List.of(jobId, "-", "-")
                                : List.of(jobId, Integer.toString(answer.status()), answer.body()));
            }

            @Override
            public void chunk(String payload) {}
        });
        listener.start();
        assertThat(listening.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @AfterEach
    void stop() {
        listener.stop();
    }

    @Test
    void aSucceededJobsAnswerRidesInItsNotificationAndItsEndDeletesTheLeaseTakenWithIt() throws Exception {
        String jobId = facadeJob();
        String body = "{\"id\":\"chatcmpl-1\",\"choices\":[{\"message\":{\"content\":\"two words é ✓\"}}]}";
        Pipelined.run(
                pipelined,
                QuotaLeaseRepository.insertion("ql_with_job", tenantId, "waiting_facade_calls", LEASE, jobId));
        leases.insert("ql_alone", tenantId, "waiting_facade_calls", LEASE);

        finish(jobId, true, new Outcome(200, body, null, null, 3, 4, 7, 12));

        assertThat(heard.poll(10, TimeUnit.SECONDS)).containsExactly(jobId, "200", body);
        assertThat(leaseIds()).containsExactly("ql_alone");
    }

    @Test
    void anAnswerTooLargeForANotificationOrAFailureIsAnnouncedByIdAlone() throws Exception {
        String large = facadeJob();
        String refused = facadeJob();
        Pipelined.run(
                pipelined,
                QuotaLeaseRepository.insertion("ql_refused", tenantId, "waiting_facade_calls", LEASE, refused));

        // 8,000 bytes in all: one too many for a notification.
        finish(large, true, new Outcome(200, "x".repeat(8_000 - large.length() - 5), null, null, null, null, null, 12));
        finish(refused, false, new Outcome(400, "{\"error\":{}}", "invalid_request", "bad", null, null, null, 3));

        assertThat(heard.poll(10, TimeUnit.SECONDS)).containsExactly(large, "-", "-");
        assertThat(heard.poll(10, TimeUnit.SECONDS)).containsExactly(refused, "-", "-");
        assertThat(leaseIds()).as("a failed job's end deletes its lease too").isEmpty();
    }

    @Test
    void anAnswerThatJustFitsIsCarriedWhole() throws Exception {
        String jobId = facadeJob();
        // The payload is the id, a space, "200", a space and the body: 7,999 bytes in all, the most PostgreSQL takes.
        String body =
                "é".repeat((7_999 - jobId.length() - 5) / 2) + (((7_999 - jobId.length() - 5) % 2 == 1) ? "x" : "");

        finish(jobId, true, new Outcome(200, body, null, null, null, null, null, 1));

        assertThat(heard.poll(10, TimeUnit.SECONDS)).containsExactly(jobId, "200", body);
    }

    private String facadeJob() {
        NewJob job = TestJobs.facadeCall(tenantId);
        jobs.insert(job, NOW);
        return job.id();
    }

    private void finish(String jobId, boolean succeeded, Outcome outcome) {
        assertThat(transitions.claim(jobId, "claim", LEASE)).isPresent();
        boolean stored = succeeded
                ? transitions.markSucceeded(jobId, "claim", outcome, NOW)
                : transitions.markFailed(jobId, "claim", outcome, NOW);
        assertThat(stored).isTrue();
    }

    private List<String> leaseIds() {
        return jdbc.sql("SELECT id FROM quota_leases WHERE tenant_id = :tenant ORDER BY id")
                .param("tenant", tenantId)
                .query(String.class)
                .list();
    }
}
