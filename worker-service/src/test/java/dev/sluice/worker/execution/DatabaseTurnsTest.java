package dev.sluice.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.worker.WorkerProperties;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class DatabaseTurnsTest {

    private static final WorkerProperties POOL_OF_FOUR =
            bind(Map.of("SLUICE_DATABASE_POOL_SIZE", "4", "SLUICE_DATABASE_RESERVED_CONNECTIONS", "2"));

    @Test
    void aPoolSmallerThanItsSettingSaysStopsTheWorkerSayingWhatToSet() {
        assertThatThrownBy(() -> new DatabaseTurns(bind(Map.of()), OptionalInt.of(10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("The database pool has 10 connections, but this worker gives 18 to its jobs "
                        + "and keeps 6 for its loops, 24 in all")
                .hasMessageContaining("SLUICE_DATABASE_POOL_SIZE");

        assertThat(new DatabaseTurns(bind(Map.of()), OptionalInt.of(24)).turns())
                .isEqualTo(18);
        assertThat(new DatabaseTurns(POOL_OF_FOUR, OptionalInt.empty()).turns()).isEqualTo(2);
    }

    @Test
    void jobsTakeTurnsAtTheDatabaseAndGiveThemUpWhileTheyWaitForTheProvider() throws Exception {
        DatabaseTurns turns = new DatabaseTurns(POOL_OF_FOUR, OptionalInt.of(4));
        CountDownLatch calling = new CountDownLatch(3);
        CountDownLatch answer = new CountDownLatch(1);

        // Three jobs claim in turn (two turns), then wait for the provider at once, holding no turn.
        for (int i = 0; i < 3; i++) {
            Thread.ofVirtual().start(() -> {
                try {
                    turns.during(() -> turns.between(() -> {
                        calling.countDown();
                        answer.await();
                        return null;
                    }));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(calling.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(turns.inUse()).isZero();

        // A fourth job's claim is not held up by them.
        CompletableFuture<Integer> claimed = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                claimed.complete(turns.during(turns::inUse));
            } catch (InterruptedException e) {
                claimed.completeExceptionally(e);
            }
        });
        assertThat(claimed.get(5, TimeUnit.SECONDS)).isEqualTo(1);

        answer.countDown();
    }

    @Test
    void noMoreJobsThanTurnsAreAtTheDatabaseAtOnce() throws Exception {
        DatabaseTurns turns = new DatabaseTurns(POOL_OF_FOUR, OptionalInt.of(4));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch inside = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            Thread.ofVirtual().start(() -> {
                try {
                    turns.during(() -> {
                        inside.countDown();
                        release.await();
                        return null;
                    });
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Integer> third = new CompletableFuture<>();
        Thread waiting = Thread.ofVirtual().start(() -> {
            try {
                third.complete(turns.during(turns::inUse));
            } catch (InterruptedException e) {
                third.completeExceptionally(e);
            }
        });
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !third.isDone());
        assertThat(turns.inUse()).isEqualTo(2);

        release.countDown();
        assertThat(third.get(5, TimeUnit.SECONDS)).isLessThanOrEqualTo(2);
        waiting.join();
    }

    private static WorkerProperties bind(Map<String, Object> environment) {
        var variables = new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment);
        return new Binder(ConfigurationPropertySources.from(variables))
                .bindOrCreate("sluice", Bindable.of(WorkerProperties.class));
    }
}
