package dev.sluice.worker.pacing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.BatchStatus;
import dev.sluice.common.JobStatus;
import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.ratelimit.RateLimitEvent;
import dev.sluice.simulator.limit.WindowKind;
import dev.sluice.simulator.stats.ModelStats;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import dev.sluice.worker.WorkerProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/**
 * The global pacer across replicas: the shared test context is one worker, a second
 * {@link dev.sluice.worker.WorkerApplication} started here on the same database, vhost and simulator is another
 * ({@link Worker}), and both drain the same queues with the same key. Whatever the guarantee promises must hold
 * for the two together, as the provider sees it.
 *
 * <p>The simulator is shared with the other integration tests; tests that change its limit or window kind put
 * it back afterwards (they run one at a time). Each test has models of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoWorkersPacingIT extends WorkerIntegrationTest {

    private static final Limit FIVE_PER_TWO_SECONDS = Limit.parse("5/2s");
    private static final Duration W = Duration.ofSeconds(2);

    @Autowired
    private ApplicationContext sharedContext;

    @Autowired
    private WorkerProperties properties;

    @Autowired
    private ModelRepository models;

    private Worker first;
    private Worker second;
    /** The one key of the first and second workers (both read it from the same configuration). */
    private String sharedKey;

    @BeforeAll
    void startSecondWorker() {
        sharedKey = properties.upstream().keys().getFirst();
        first = Worker.of("first", sharedContext);
        second = Worker.start("second", SIMULATOR.baseUrl());
    }

    @AfterAll
    void stopSecondWorker() {
        if (second != null) {
            second.close();
        }
    }

    @AfterEach
    void restoreTheProvider() {
        SIMULATOR.update(config -> config.withLimit("5/2s").withWindow(WindowKind.SLIDING));
    }

    @ParameterizedTest
    @EnumSource(WindowKind.class)
    void twoWorkersTogetherNeverSendMoreThanTheLimitInAnyWindow(WindowKind kind) {
        String model =
                kind == WindowKind.SLIDING ? "meta-llama/llama-3.2-1b-instruct" : "meta-llama/llama-3.2-3b-instruct";
        SIMULATOR.update(config -> config.withWindow(kind));
        registerModel(model, first, second);
        Instant started = Instant.now();

        SubmittedBatch submitted = submissions.batch().chats(model, 20).submit();

        awaitCompleted(submitted, Duration.ofSeconds(40));
        Duration took = Duration.between(started, Instant.now());
        assertAllSucceededAtTheFirstAttempt(submitted);
        ModelStats stats = SIMULATOR.stats().model(model);
        assertThat(stats.rateLimited()).isZero();
        assertThat(stats.accepted()).isEqualTo(20);
        assertThat(stats.maxInAnyWindow()).isLessThanOrEqualTo(5);
        assertThat(stats.maxInFixedWindow()).isLessThanOrEqualTo(5);
        // Each worker counts its own calls: between them they made every call. Both competed for every window (the
        // model is registered on both, and a lane waiting rings both every second), but which one wins a window's
        // grants is a race: one worker granting bursts in advance can take all four, so neither share is asserted.
        assertThat(first.attempts(model) + second.attempts(model)).isEqualTo(20);
        // Four bursts of five, each at least a window after the one before: paced, not lucky.
        assertThat(took).isGreaterThanOrEqualTo(W.multipliedBy(20 / 5 - 1));
    }

    @Test
    void aLimitSetWhileTheWorkersRunBindsBothAndRaisingItRaisesThroughput() {
        String model = "mistralai/mistral-nemo";
        // Stricter than the provider's 5/2s: only the configured limit can keep windows at two.
        models.configure(model, List.of(Limit.parse("2/2s")), null, null, Instant.now());
        registerModel(model, first, second);
        awaitLimit(model, Limit.parse("2/2s"), first, second);
        Instant started = Instant.now();

        SubmittedBatch slow = submissions.batch().chats(model, 6).submit();

        awaitCompleted(slow, Duration.ofSeconds(30));
        Duration slowTook = Duration.between(started, Instant.now());
        assertAllSucceededAtTheFirstAttempt(slow);
        ModelStats afterSlow = SIMULATOR.stats().model(model);
        assertThat(afterSlow.accepted()).isEqualTo(6);
        assertThat(afterSlow.rateLimited()).isZero();
        assertThat(afterSlow.maxInAnyWindow()).isLessThanOrEqualTo(2);
        assertThat(slowTook).isGreaterThanOrEqualTo(W.multipliedBy(6 / 2 - 1));

        models.configure(model, List.of(FIVE_PER_TWO_SECONDS), null, null, Instant.now());
        awaitLimit(model, FIVE_PER_TWO_SECONDS, first, second);
        Instant raised = Instant.now();

        SubmittedBatch fast = submissions.batch().chats(model, 10).submit();

        awaitCompleted(fast, Duration.ofSeconds(30));
        Duration fastTook = Duration.between(raised, Instant.now());
        assertAllSucceededAtTheFirstAttempt(fast);
        ModelStats afterFast = SIMULATOR.stats().model(model);
        assertThat(afterFast.accepted()).isEqualTo(16);
        assertThat(afterFast.rateLimited()).isZero();
        // The first batch never had more than two in a window, so these five are the second batch's.
        assertThat(afterFast.maxInAnyWindow()).isEqualTo(5);
        // At 2/2s ten jobs need at least four windows after the first burst.
        assertThat(fastTook).isLessThan(W.multipliedBy(10 / 2 - 1));
    }

    @Test
    void a429TeachesBothWorkersTheProvidersLimitAndNoFurther429Follows() {
        String model = "deepseek/deepseek-r1";
        SIMULATOR.update(config -> config.withLimit("3/2s"));
        // Sluice believes in more than the provider allows: the first burst is bound to meet 429s.
        models.configure(model, List.of(Limit.parse("10/2s")), null, null, Instant.now());
        registerModel(model, first, second);
        awaitLimit(model, Limit.parse("10/2s"), first, second);

        SubmittedBatch submitted = submissions.batch().chats(model, 10).submit();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> !apiReads.rateLimitEvents(model).isEmpty());
        // A fourth acceptance needs a second window of the provider's: the first burst is over by then.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> SIMULATOR.stats().model(model).accepted() >= 4);
        long limitedInTheFirstBurst = SIMULATOR.stats().model(model).rateLimited();
        awaitCompleted(submitted, Duration.ofSeconds(45));

        assertAllSucceededAtTheFirstAttempt(submitted);
        assertThat(models.settings(model).orElseThrow().learned())
                .extracting(LimitSet.Entry::limit)
                .containsExactly(Limit.parse("3/2s"));
        // The learned 3/2s joins the configured 10/2s: both hold.
        awaitLimits(model, List.of(Limit.parse("10/2s"), Limit.parse("3/2s")), first, second);
        ModelStats stats = SIMULATOR.stats().model(model);
        assertThat(stats.accepted()).isEqualTo(10);
        assertThat(limitedInTheFirstBurst).isBetween(1L, 10L - 3);
        assertThat(stats.rateLimited()).as("429s after the limit was learned").isEqualTo(limitedInTheFirstBurst);
        List<RateLimitEvent> events = apiReads.rateLimitEvents(model);
        assertThat(events).hasSize((int) stats.rateLimited());
        assertThat(events).allSatisfy(event -> {
            assertThat(event.learned()).isEqualTo(Limit.parse("3/2s"));
            assertThat(event.credential()).isEqualTo(Credential.of(sharedKey).fingerprint());
            assertThat(event.message()).contains("Rate limit of 3 per 2s");
        });
        List<Instant> times =
                events.stream().map(RateLimitEvent::occurredAt).sorted().toList();
        assertThat(Duration.between(times.getFirst(), times.getLast()))
                .as("every 429 came in the first burst")
                .isLessThan(W);
    }

    @Test
    void aPausedModelWaitsWithoutHoldingUpAnother() {
        String paused = "x-ai/grok-2";
        String flowing = "x-ai/grok-3-mini";
        models.setPaused(paused, true, Instant.now());
        registerModel(paused, first, second);
        registerModel(flowing, first, second);
        await().atMost(Duration.ofSeconds(5)).until(() -> first.holdsPaused(paused) && second.holdsPaused(paused));

        SubmittedBatch held = submissions.batch().chats(paused, 3).submit();
        SubmittedBatch other = submissions.batch().chats(flowing, 5).submit();

        awaitCompleted(other, Duration.ofSeconds(15));
        assertAllSucceededAtTheFirstAttempt(other);
        assertThat(held.jobIds())
                .allSatisfy(id -> assertThat(job(held, id).status()).isEqualTo(JobStatus.QUEUED));
        assertThat(SIMULATOR.stats().model(paused).requests()).isZero();
        assertThat(first.attempts(paused) + second.attempts(paused)).isZero();

        models.setPaused(paused, false, Instant.now());

        awaitCompleted(held, Duration.ofSeconds(15));
        assertAllSucceededAtTheFirstAttempt(held);
        assertThat(SIMULATOR.stats().model(paused).accepted()).isEqualTo(3);
    }

    @Test
    void aSecondKeyDoublesAModelsBudget() {
        String model = "microsoft/phi-4";
        String secondKey = "sk-second-key";
        // The shared context can only have its one key; a third worker brings a second. Every budget is per
        // key, so the first key's is shared by all three workers and the second key's is the third worker's.
        try (Worker third =
                Worker.start("third", SIMULATOR.baseUrl(), "sluice.upstream.api-keys=" + sharedKey + "," + secondKey)) {
            // A worker that starts dispatches only the models it finds with queued work (or new ones): the stored
            // jobs bring the third in; they are published once all three dispatch, as the api publishes after storing.
            SubmittedBatch submitted = submissions.batch().chats(model, 20).store();
            registerModel(model, first, second, third);
            Instant started = Instant.now();

            submitted.messages().forEach(submissions::publish);

            awaitCompleted(submitted, Duration.ofSeconds(30));
            Duration took = Duration.between(started, Instant.now());
            assertAllSucceededAtTheFirstAttempt(submitted);
            for (String key : List.of(sharedKey, secondKey)) {
                ModelStats perKey = SIMULATOR.stats().key(key, model);
                assertThat(perKey.accepted()).as("calls with %s", key).isPositive();
                assertThat(perKey.rateLimited()).as("429s to %s", key).isZero();
                assertThat(perKey.maxInAnyWindow())
                        .as("most in a window with %s", key)
                        .isLessThanOrEqualTo(5);
            }
            ModelStats stats = SIMULATOR.stats().model(model);
            assertThat(stats.accepted()).isEqualTo(20);
            assertThat(stats.rateLimited()).isZero();
            assertThat(stats.maxInAnyWindow()).isGreaterThan(5).isLessThanOrEqualTo(10);
            assertThat(third.attempts(model)).isPositive();
            // One key needs three windows after its first burst for twenty jobs; two keys need one.
            assertThat(took).isLessThan(W.multipliedBy(20 / 5 - 1));
            assertThat(took).isGreaterThanOrEqualTo(W.multipliedBy(20 / 10 - 1));
        }
    }

    /**
     * Registers {@code model}, whose limits the test may then set before any job exists. Every one of
     * {@code workers} starts its dispatcher for the model when the first batch's lane enters (PostgreSQL rings them
     * all), so nothing is waited for here; a worker that dispatches the model later would only make the test slower.
     */
    private void registerModel(String model, Worker... workers) {
        assertThat(workers).isNotEmpty();
        models.register(List.of(model), Instant.now());
    }

    private static void awaitLimit(String model, Limit limit, Worker... workers) {
        awaitLimits(model, List.of(limit), workers);
    }

    private static void awaitLimits(String model, List<Limit> limits, Worker... workers) {
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Arrays.stream(workers)
                        .allMatch(worker -> worker.limits(model).limits().equals(limits)));
    }

    private void awaitCompleted(SubmittedBatch submitted, Duration atMost) {
        await().atMost(atMost).until(() -> batch(submitted).status() == BatchStatus.COMPLETED);
    }

    private void assertAllSucceededAtTheFirstAttempt(SubmittedBatch submitted) {
        assertThat(submitted.jobIds()).allSatisfy(id -> {
            assertThat(job(submitted, id).status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(job(submitted, id).attempts()).isEqualTo(1);
        });
    }
}
