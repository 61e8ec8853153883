package dev.sluice.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import dev.sluice.worker.pacing.Credential;
import dev.sluice.worker.pacing.Grant;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SendTimesTest {

    @Test
    void aModelsSendTimesAreWrittenOneGroupAtATimeEachGroupInOneWriteAndNoneIsLost() {
        Map<String, AtomicInteger> writing = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> mostAtOnce = new ConcurrentHashMap<>();
        Set<String> held = ConcurrentHashMap.newKeySet();
        Set<Long> written = ConcurrentHashMap.newKeySet();
        CountDownLatch allRecording = new CountDownLatch(1);
        AtomicInteger writes = new AtomicInteger();
        Set<Integer> modelsPerWrite = ConcurrentHashMap.newKeySet();
        SendTimes times = new SendTimes(group -> {
            writes.incrementAndGet();
            modelsPerWrite.add((int)
                    group.stream().map(send -> send.grant().model()).distinct().count());
            String model = group.getFirst().grant().model();
            int now = writing.computeIfAbsent(model, m -> new AtomicInteger()).incrementAndGet();
            mostAtOnce.computeIfAbsent(model, m -> new AtomicInteger()).accumulateAndGet(now, Math::max);
            if (held.add(model)) {
                // Each model's first write lasts until every send is being recorded, so the others arrive while a
                // write of their model is under way: written beside it, they would show here.
                awaitQuietly(allRecording);
            }
            group.forEach(send -> written.add(send.sentNanos()));
            writing.get(model).decrementAndGet();
        });

        try (ExecutorService jobs = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 2_000; i++) {
                long nanos = i;
                String model = i % 2 == 0 ? "model-a" : "model-b";
                jobs.submit(() -> times.record(grant(model), nanos));
            }
            allRecording.countDown();
        }

        assertThat(written).hasSize(2_000);
        assertThat(mostAtOnce.get("model-a")).hasValue(1);
        assertThat(mostAtOnce.get("model-b")).hasValue(1);
        assertThat(modelsPerWrite).as("a write holds one model's sends").containsExactly(1);
        assertThat(writes.get())
                .as("those that arrived during a write went together in the next")
                .isLessThan(2_000);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aFailedWriteIsDroppedAndTheOthersStillGoThrough() {
        Set<Long> written = ConcurrentHashMap.newKeySet();
        SendTimes times = new SendTimes(group -> {
            if (group.getFirst().sentNanos() == 1) {
                throw new IllegalStateException("database down");
            }
            group.forEach(send -> written.add(send.sentNanos()));
        });

        times.record(grant("m"), 1);
        times.record(grant("m"), 2);

        assertThat(written).containsExactly(2L);
    }

    private static Grant grant(String model) {
        return new Grant(
                Credential.of("sk-test"),
                model,
                0,
                0,
                0,
                0,
                LimitSet.of(List.of(), List.of(Limit.parse("15/60s")), List.of()),
                Duration.ofMillis(250),
                false);
    }
}
