package dev.sluice.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.worker.WorkerProperties;
import java.util.Map;
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
    void everyModelsJobsRunInTheWorkersSharedSlots() throws InterruptedException {
        JobSlots slots = new JobSlots(bind(Map.of("SLUICE_INTAKE_MAX_IN_FLIGHT", "3")));
        InFlight first = slots.forModel(2);
        InFlight second = slots.forModel(64);

        // The first model is admitted up to its own cap (2) and starts both jobs.
        first.acquire();
        assertThat(first.drainPermits()).isEqualTo(1);
        first.enter();
        first.enter();
        assertThat(slots.inUse()).isEqualTo(2);
        // The second model's cap is far above what the worker has left: it is admitted for the one free slot.
        assertThat(second.drainPermits()).isEqualTo(1);
        second.enter();
        assertThat(slots.inUse()).isEqualTo(3);
        assertThat(second.drainPermits()).isZero();

        // A job that ends gives back both its slots; the model's unstarted ones give back only the model's.
        first.release();
        assertThat(slots.inUse()).isEqualTo(2);
        assertThat(second.drainPermits()).isEqualTo(1);
        second.release(1);
        assertThat(first.drainPermits()).isEqualTo(1);
    }

    @Test
    void aModelWaitingForItsGrantHoldsNoneOfTheWorkersSlots() throws InterruptedException {
        JobSlots slots = new JobSlots(bind(Map.of("SLUICE_INTAKE_MAX_IN_FLIGHT", "1")));
        InFlight saturated = slots.forModel(64);
        InFlight other = slots.forModel(64);

        // The saturated model's dispatcher is admitted and now waits for its pacer window, holding the admission.
        saturated.acquire();
        assertThat(slots.inUse()).isZero();
        // Another model still gets the worker's only slot and runs its job.
        other.acquire();
        other.enter();
        assertThat(slots.inUse()).isEqualTo(1);
        other.release();
        assertThat(slots.inUse()).isZero();
    }

    @Test
    void aWaitForAFreeWorkerSlotThatIsInterruptedGivesTheModelsSlotBack() throws Exception {
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
