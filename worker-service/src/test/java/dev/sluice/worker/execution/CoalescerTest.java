package dev.sluice.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CoalescerTest {

    @Test
    void aLoneRequestRunsAtOnceOnItsCallersThreadInAGroupOfItsOwn() {
        List<List<Integer>> groups = Collections.synchronizedList(new ArrayList<>());
        List<Thread> ranOn = new ArrayList<>();
        Coalescer<Integer, String> coalescer = new Coalescer<>("test", 10, group -> {
            groups.add(group);
            ranOn.add(Thread.currentThread());
            return group.stream().map(i -> "answer " + i).toList();
        });

        assertThat(coalescer.run(1)).isEqualTo("answer 1");
        assertThat(coalescer.run(2)).isEqualTo("answer 2");

        assertThat(groups).containsExactly(List.of(1), List.of(2));
        assertThat(ranOn).containsOnly(Thread.currentThread());
    }

    @Test
    void requestsArrivingWhileAStatementRunsShareTheNextOneAndEachGetsItsOwnAnswer() throws Exception {
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        List<List<Integer>> groups = Collections.synchronizedList(new ArrayList<>());
        Coalescer<Integer, Integer> coalescer = new Coalescer<>("test", 100, group -> {
            groups.add(group);
            if (group.contains(0)) {
                firstRunning.countDown();
                await(releaseFirst);
            }
            return group.stream().map(i -> i * 10).toList();
        });
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> first = callers.submit(() -> coalescer.run(0));
            assertThat(firstRunning.await(5, TimeUnit.SECONDS)).isTrue();
            List<Future<Integer>> others = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                int request = i;
                others.add(callers.submit(() -> coalescer.run(request)));
            }
            // Let the 20 queue up behind the running statement, then let it end.
            awaitWaiting(coalescer, 20);
            releaseFirst.countDown();

            assertThat(first.get(5, TimeUnit.SECONDS)).isZero();
            for (int i = 0; i < others.size(); i++) {
                assertThat(others.get(i).get(5, TimeUnit.SECONDS)).isEqualTo((i + 1) * 10);
            }
        }
        assertThat(groups.getFirst()).containsExactly(0);
        assertThat(groups.subList(1, groups.size()))
                .as("the 20 waiting requests ran in one more statement")
                .hasSize(1)
                .allSatisfy(group -> assertThat(group).hasSize(20));
    }

    @Test
    void aGroupTakesAtMostTheMostAllowed() throws Exception {
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        Coalescer<Integer, Integer> coalescer = new Coalescer<>("test", 4, group -> {
            sizes.add(group.size());
            if (group.contains(0)) {
                firstRunning.countDown();
                await(releaseFirst);
            }
            return group;
        });
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> first = callers.submit(() -> coalescer.run(0));
            assertThat(firstRunning.await(5, TimeUnit.SECONDS)).isTrue();
            List<Future<Integer>> others = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                int request = i;
                others.add(callers.submit(() -> coalescer.run(request)));
            }
            awaitWaiting(coalescer, 10);
            releaseFirst.countDown();
            first.get(5, TimeUnit.SECONDS);
            for (Future<Integer> other : others) {
                other.get(5, TimeUnit.SECONDS);
            }
        }
        assertThat(sizes).allSatisfy(size -> assertThat(size).isBetween(1, 4));
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(11);
    }

    @Test
    void aFailedStatementFailsEveryRequestOfItsGroupAndTheNextRequestRunsAgain() {
        boolean[] fail = {true};
        Coalescer<Integer, Integer> coalescer = new Coalescer<>("test", 10, group -> {
            if (fail[0]) {
                throw new IllegalStateException("database down");
            }
            return group;
        });

        assertThatThrownBy(() -> coalescer.run(1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("database down");
        fail[0] = false;
        assertThat(coalescer.run(2)).isEqualTo(2);
    }

    @Test
    void underContentionEveryRequestIsAnsweredExactlyOnceWithItsOwnAnswer() throws Exception {
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        Coalescer<Integer, Integer> coalescer = new Coalescer<>("test", 16, group -> {
            seen.addAll(group);
            Thread.yield();
            return group.stream().map(i -> -i).toList();
        });
        int requests = 20_000;
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                int request = i;
                answers.add(callers.submit(() -> coalescer.run(request)));
            }
            for (int i = 0; i < requests; i++) {
                assertThat(answers.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(-i);
            }
        }
        assertThat(seen).hasSize(requests).doesNotHaveDuplicates();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void awaitWaiting(Coalescer<?, ?> coalescer, int requests) {
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> coalescer.waiting() == requests);
    }
}
