package dev.sluice.worker.pacing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.BatchStatus;
import dev.sluice.common.JobStatus;
import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import dev.sluice.common.TokenEstimate;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.simulator.stats.ModelStats;
import dev.sluice.worker.Submissions.BatchBuilder;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Limit sets and token budgets against the simulator, as the provider sees them: every limit of a model's set is
 * held at once, a 429 teaches the limit it names and no 429 follows the lesson, and a token budget is used to the
 * full without 429s. Each test has models of its own and puts the shared simulator back as it found it.
 */
class LimitSetsIT extends WorkerIntegrationTest {

    @Autowired
    private ModelRepository models;

    @Autowired
    private ModelLimits limits;

    @Autowired
    private org.springframework.context.ApplicationContext context;

    @AfterEach
    void restoreTheProvider() {
        SIMULATOR.update(
                config -> config.withLimit("5/2s").withExtraLimit("none").withTpm(0));
    }

    @Test
    void aLearned2Per3sUnderAConfigured30Per45sHoldsBothAndNo429FollowsTheLesson() {
        String model = "openai/gpt-4.1-nano";
        SIMULATOR.update(config -> config.withLimit("2/3s"));
        // The same rate as the provider's, over a longer window: paced at 30/45s alone, every burst of 30 meets 28
        // 429s.
        configure(model, List.of(Limit.parse("30/45s")));

        SubmittedBatch submitted = submissions.batch().chats(model, 8).submit();

        awaitCompleted(submitted, Duration.ofSeconds(60));
        ModelStats stats = SIMULATOR.stats().model(model);
        assertThat(stats.accepted()).isEqualTo(8);
        assertThat(stats.maxInAnyWindow()).isLessThanOrEqualTo(2);
        assertThat(limits.limits(model).limits()).contains(Limit.parse("30/45s"), Limit.parse("2/3s"));
        // Every 429 came in the first burst, before the lesson (the burst held at most 8 requests, 2 accepted).
        assertThat(stats.rateLimited()).isBetween(1L, 6L);
        assertThat(apiReads.rateLimitEvents(model)).hasSize((int) stats.rateLimited());
        long afterLesson = SIMULATOR.stats().model(model).rateLimited();

        SubmittedBatch more = submissions.batch().chats(model, 4).submit();

        awaitCompleted(more, Duration.ofSeconds(30));
        assertThat(SIMULATOR.stats().model(model).rateLimited())
                .as("429s after the lesson")
                .isEqualTo(afterLesson);
        assertThat(pacerMargin(model))
                .as("a 429 that taught a limit widens no margin")
                .isEqualTo(baseMargin());
    }

    @Test
    void aSecondProviderWindowIsTaughtByOneBurstOf429sAndNoneFollow() {
        String model = "anthropic/claude-3-7-sonnet";
        SIMULATOR.update(config -> config.withLimit("10/3s").withExtraLimit("25/12s"));
        configure(model, List.of(Limit.parse("10/3s")));

        SubmittedBatch submitted = submissions.batch().chats(model, 40).submit();

        awaitCompleted(submitted, Duration.ofSeconds(90));
        ModelStats stats = SIMULATOR.stats().model(model);
        assertThat(stats.accepted()).isEqualTo(40);
        assertThat(stats.maxInAnyWindow()).isLessThanOrEqualTo(10);
        assertThat(stats.maxInAnyExtraWindow()).isLessThanOrEqualTo(25);
        assertThat(limits.limits(model).limits()).contains(Limit.parse("10/3s"), Limit.parse("25/12s"));
        List<Instant> times = apiReads.rateLimitEvents(model).stream()
                .map(event -> event.occurredAt())
                .sorted()
                .toList();
        assertThat(times).hasSize((int) stats.rateLimited()).isNotEmpty();
        assertThat(Duration.between(times.getFirst(), times.getLast()))
                .as("every 429 came in one burst")
                .isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aConfiguredTokenBudgetIsUsedToTheFullWithAtMostTwo429s() {
        String model = "google/gemma-3-27b-it";
        Duration window = Duration.ofSeconds(6);
        SIMULATOR.update(config -> config.withLimit("1000/6s").withTpm(3_000).withTpmWindow(window));
        configure(model, List.of(Limit.parse("1000/6s"), Limit.parse("3000 tokens/6s")));
        String prompt = String.join(" ", java.util.Collections.nCopies(200, "word"));
        BatchBuilder batch = submissions.batch();
        for (int i = 0; i < 60; i++) {
            batch.chat(model, prompt, 40);
        }
        Instant started = Instant.now();

        // As the api estimates it: 200 prompt tokens (the simulator counts words), and max_tokens 40.
        SubmittedBatch submitted = batch.submit(new TokenEstimate(200, 40));

        awaitCompleted(submitted, Duration.ofSeconds(90));
        Duration took = Duration.between(started, Instant.now());
        ModelStats stats = SIMULATOR.stats().model(model);
        assertThat(stats.accepted()).isEqualTo(60);
        assertThat(stats.rateLimited()).isLessThanOrEqualTo(2);
        assertThat(stats.maxTokensInAnyWindow()).isLessThanOrEqualTo(3_000);
        // Token throughput against the budget: a perfect client knowing each request's tokens fits
        // floor(3,000 / tokens per request) requests in a window, and with Sluice's margin sends its attempts in that
        // many windows of 6 s + margin after its first burst. At least 85 % of that pace. The attempts count the
        // retries of the 429s allowed above: the 60 fill five windows exactly, so one retry needs a sixth, for a
        // perfect client as for Sluice.
        double perRequest = stats.tokensUsed() / 60.0;
        long perWindow = (long) (3_000 / perRequest);
        long attempts = stats.accepted() + stats.rateLimited();
        double idealSeconds = Math.floorDiv(attempts - 1, perWindow)
                * (window.plus(baseMargin()).toMillis() / 1000.0);
        assertThat(idealSeconds / (took.toMillis() / 1000.0))
                .as(
                        "pace against the budget's best, %d per window, in %s with %d 429s",
                        perWindow, took, stats.rateLimited())
                .isGreaterThanOrEqualTo(0.85);
    }

    private void configure(String model, List<Limit> set) {
        models.register(List.of(model), Instant.now());
        models.configure(model, set, null, null, Instant.now());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> limits.limits(model).entries().stream()
                        .filter(e -> e.source() == LimitSet.Source.CONFIGURED)
                        .map(LimitSet.Entry::limit)
                        .collect(java.util.stream.Collectors.toSet())
                        .equals(java.util.Set.copyOf(set)));
    }

    private Duration pacerMargin(String model) {
        return context.getBean(GlobalPacer.class).margin(model);
    }

    private Duration baseMargin() {
        return context.getBean(dev.sluice.worker.WorkerProperties.class)
                .pacing()
                .safetyMargin();
    }

    private void awaitCompleted(SubmittedBatch submitted, Duration atMost) {
        await().atMost(atMost).until(() -> batch(submitted).status() == BatchStatus.COMPLETED);
        assertThat(submitted.jobIds())
                .allSatisfy(id -> assertThat(job(submitted, id).status()).isEqualTo(JobStatus.SUCCEEDED));
    }
}
