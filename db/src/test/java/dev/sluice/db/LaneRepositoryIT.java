package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.common.Limit;
import dev.sluice.db.lane.Lane;
import dev.sluice.db.lane.LaneKey;
import dev.sluice.db.lane.LaneNotifications;
import dev.sluice.db.lane.LaneRepository;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.testsupport.TestInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The lanes table's rules, on PostgreSQL: where a lane enters, what a worker's lock holds back, and which entries
 * ring the workers.
 */
@SpringBootTest(classes = DbTestApplication.class)
class LaneRepositoryIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    LaneRepository lanes;

    @Autowired
    LaneNotifications notifications;

    @Autowired
    ModelRepository models;

    @Autowired
    TransactionTemplate transaction;

    @Test
    void aLaneEntersAtTheLowestPassWaitingAndBringsNoCreditFromBefore() {
        String model = "test/" + UUID.randomUUID();
        lanes.enter(List.of(new LaneKey(model, "tenant_a")));
        assertThat(locked(model)).containsExactly(new Lane("tenant_a", 0, 1));

        transaction.executeWithoutResult(status -> {
            lanes.lock(model);
            lanes.advance(model, Map.of("tenant_a", 40.0));
        });
        lanes.enter(List.of(new LaneKey(model, "tenant_b"), new LaneKey(model, "tenant_a")));
        // B joins at A's pass (not at 0, which would give it 40 turns in a row); A's own entry changes nothing.
        assertThat(locked(model)).containsExactly(new Lane("tenant_a", 40, 1), new Lane("tenant_b", 40, 1));

        transaction.executeWithoutResult(status -> {
            lanes.lock(model);
            lanes.advance(model, Map.of("tenant_a", 45.0));
            lanes.leave(model, List.of("tenant_b"));
        });
        lanes.enter(List.of(new LaneKey(model, "tenant_b")));
        assertThat(locked(model)).containsExactly(new Lane("tenant_a", 45, 1), new Lane("tenant_b", 45, 1));
        assertThat(lanes.modelsWithLanes()).contains(model);
    }

    @Test
    void aPublishersEntryWaitsForTheWorkerHoldingTheLanesAndEntersAgainAfterItsLeave() throws Exception {
        String model = "test/" + UUID.randomUUID();
        lanes.enter(List.of(new LaneKey(model, "tenant_a")));
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> transaction.executeWithoutResult(status -> {
            lanes.lock(model);
            // The worker found the lane's queue empty: it leaves, and commits only when the test says so.
            lanes.leave(model, List.of("tenant_a"));
            locked.countDown();
            awaitLatch(release);
        }));
        assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> publisher =
                CompletableFuture.runAsync(() -> lanes.enter(List.of(new LaneKey(model, "tenant_a"))));
        // The entry waits for the worker's transaction, however long it holds the lanes.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !publisher.isDone());

        release.countDown();
        worker.get(10, TimeUnit.SECONDS);
        publisher.get(10, TimeUnit.SECONDS);
        assertThat(locked(model))
                .as("the lane entered again")
                .extracting(Lane::tenantId)
                .containsExactly("tenant_a");
    }

    @Test
    void onlyALaneThatEntersRingsTheWorkers() throws Exception {
        String model = "test/" + UUID.randomUUID();
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        CountDownLatch listening = new CountDownLatch(1);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread listener = Thread.ofVirtual()
                .start(() -> notifications.listen(running::get, 100, listening::countDown, heard::add, () -> {}));
        try {
            assertThat(listening.await(10, TimeUnit.SECONDS)).isTrue();

            lanes.enter(List.of(new LaneKey(model, "tenant_a")));
            assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo(model);

            lanes.enter(List.of(new LaneKey(model, "tenant_a")));
            lanes.enter(List.of(new LaneKey(model, "tenant_b")));
            assertThat(heard.poll(5, TimeUnit.SECONDS)).as("tenant_b's lane").isEqualTo(model);
            assertThat(heard.poll(300, TimeUnit.MILLISECONDS))
                    .as("an entry into a waiting lane rings no one")
                    .isNull();
        } finally {
            running.set(false);
            listener.join(5_000);
        }
    }

    /**
     * A change to a model's settings rings the settings channel once its transaction commits (the workers re-read
     * them then); registering a model already known, as every submission does, changes nothing and rings no one.
     */
    @Test
    void aChangeToAModelsSettingsRingsTheWorkersButRegisteringAKnownModelDoesNot() throws Exception {
        String model = "test/" + UUID.randomUUID();
        models.register(List.of(model), Instant.now());
        BlockingQueue<String> lanesHeard = new LinkedBlockingQueue<>();
        BlockingQueue<String> changes = new LinkedBlockingQueue<>();
        CountDownLatch listening = new CountDownLatch(1);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread listener = Thread.ofVirtual()
                .start(() -> notifications.listen(
                        running::get, 100, listening::countDown, lanesHeard::add, () -> changes.add("changed")));
        try {
            assertThat(listening.await(10, TimeUnit.SECONDS)).isTrue();

            models.register(List.of(model), Instant.now());
            assertThat(changes.poll(300, TimeUnit.MILLISECONDS))
                    .as("a known model registered again")
                    .isNull();

            models.setPaused(model, true, Instant.now());
            assertThat(changes.poll(5, TimeUnit.SECONDS)).as("a pause").isNotNull();
            models.learn(model, Limit.parse("10/1s"), Instant.now());
            assertThat(changes.poll(5, TimeUnit.SECONDS)).as("a learned limit").isNotNull();
            transaction.executeWithoutResult(status -> models.configure(
                    model, List.of(Limit.parse("5/1s"), Limit.parse("100/1m")), 3, null, Instant.now()));
            assertThat(changes.poll(5, TimeUnit.SECONDS)).as("new limits").isNotNull();
            assertThat(changes.poll(300, TimeUnit.MILLISECONDS))
                    .as("one transaction's changes ring once")
                    .isNull();
            assertThat(lanesHeard).isEmpty();
        } finally {
            running.set(false);
            listener.join(5_000);
        }
    }

    private List<Lane> locked(String model) {
        return transaction.execute(status -> lanes.lock(model));
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
