package dev.sluice.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.worker.WorkerProperties;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class JobSlotsTest {

    @Test
    void aPoolSmallerThanTheJobsAndLoopsNeedStopsTheWorkerSayingWhatToSet() {
        WorkerProperties properties = bind(Map.of("SLUICE_DATABASE_POOL_SIZE", "24"));

        // The Hikari setting was set by hand to less than the worker's own pool size says.
        assertThatThrownBy(() -> new JobSlots(properties, OptionalInt.of(10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("The database pool has 10 connections, but this worker runs up to 18 jobs at "
                        + "once and keeps 6 connections for its loops, 24 in all")
                .hasMessageContaining("SLUICE_DATABASE_POOL_SIZE");

        assertThat(new JobSlots(properties, OptionalInt.of(24)).capacity()).isEqualTo(18);
        assertThat(new JobSlots(properties, OptionalInt.empty()).capacity()).isEqualTo(18);
    }

    @Test
    void everyModelTakesItsJobsFromTheWorkersSharedSlots() throws InterruptedException {
        JobSlots slots = new JobSlots(
                bind(Map.of("SLUICE_DATABASE_POOL_SIZE", "5", "SLUICE_DATABASE_RESERVED_CONNECTIONS", "2")),
                OptionalInt.of(5));
        InFlight first = slots.forModel(2);
        InFlight second = slots.forModel(64);

        first.acquire();
        // The first model's own cap (2) leaves it one more, though the worker has two free.
        assertThat(first.drainPermits()).isEqualTo(1);
        assertThat(slots.inUse()).isEqualTo(2);
        // The second model's cap is far above what the worker has left: it gets the worker's last slot.
        assertThat(second.drainPermits()).isEqualTo(1);
        assertThat(second.drainPermits()).isZero();
        assertThat(slots.inUse()).isEqualTo(3);

        first.release(2);
        assertThat(slots.inUse()).isEqualTo(1);
        // The second model may now take the slots the first gave back, and the first its own again after that.
        assertThat(second.drainPermits()).isEqualTo(2);
        assertThat(first.drainPermits()).isZero();
        second.release(3);
        assertThat(first.drainPermits()).isEqualTo(2);
        assertThat(slots.inUse()).isEqualTo(2);
    }

    @Test
    void aWaitForTheWorkersSlotThatIsInterruptedGivesTheModelsSlotBack() throws Exception {
        Semaphore model = new Semaphore(1);
        Semaphore worker = new Semaphore(0);
        InFlight inFlight = new InFlight(model, worker);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread waiting = Thread.ofVirtual().start(() -> {
            try {
                inFlight.acquire();
                outcome.complete(null);
            } catch (InterruptedException e) {
                outcome.complete(e);
            }
        });
        while (!worker.hasQueuedThreads()) {
            Thread.onSpinWait();
        }
        assertThat(model.availablePermits()).isZero();

        waiting.interrupt();

        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(model.availablePermits()).isEqualTo(1);
    }

    private static WorkerProperties bind(Map<String, Object> environment) {
        var variables = new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment);
        return new Binder(ConfigurationPropertySources.from(variables))
                .bindOrCreate("sluice", Bindable.of(WorkerProperties.class));
    }
}
