package dev.sluice.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchEndChecksTest {

    @Test
    void eachFinishAloneChecksItsBatchOnceOnTheCallersThread() {
        List<String> checked = new ArrayList<>();
        BatchEndChecks checks = new BatchEndChecks(checked::add);

        checks.jobFinished("batch_a");
        checks.jobFinished("batch_b");
        checks.jobFinished("batch_a");

        assertThat(checked).containsExactly("batch_a", "batch_b", "batch_a");
    }

    @Test
    void finishesDuringACheckShareOneMoreCheckThatStartsAfterThem() throws Exception {
        CountDownLatch checking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger checks = new AtomicInteger();
        List<Integer> finishedBeforeCheck = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger finished = new AtomicInteger();
        BatchEndChecks ends = new BatchEndChecks(batch -> {
            finishedBeforeCheck.add(finished.get());
            if (checks.incrementAndGet() == 1) {
                checking.countDown();
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        try (ExecutorService jobs = Executors.newVirtualThreadPerTaskExecutor()) {
            finished.incrementAndGet();
            jobs.submit(() -> ends.jobFinished("batch_x"));
            assertThat(checking.await(5, TimeUnit.SECONDS)).isTrue();
            AtomicInteger returned = new AtomicInteger();
            for (int i = 0; i < 50; i++) {
                finished.incrementAndGet();
                jobs.submit(() -> {
                    ends.jobFinished("batch_x");
                    returned.incrementAndGet();
                });
            }
            // A finish during a check is only counted: all 50 return while the first check still runs.
            await().atMost(Duration.ofSeconds(5)).until(() -> returned.get() == 50);
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> finishedBeforeCheck.size() == 2);
        // And no third check follows.
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> checks.get() == 2);
        assertThat(checks)
                .as("50 finishes during the first check cost one more check")
                .hasValue(2);
        assertThat(finishedBeforeCheck.getLast())
                .as("the last check saw every finish")
                .isEqualTo(51);
    }
}
