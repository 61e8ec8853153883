package dev.sluice.api.batch;

import dev.sluice.db.Listener;
import dev.sluice.db.batch.BatchNotifications;
import dev.sluice.db.batch.BatchStatusChanged;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Hears every change of a batch's status that PostgreSQL announces (V30, from any replica or worker) and tells this
 * replica's readers of batches through a {@link BatchStatusChanged} event: the polls stop answering from their last
 * read of the batch ({@link BatchPolls}) and its event streams read it at once, so a client sees a batch complete
 * within one read of the change rather than within the polls' staleness or the streams' poll interval. When the
 * listening connection listens (again), what changed meanwhile was not heard: every batch counts as changed.
 */
@Component
class BatchStatusChanges implements SmartLifecycle {

    private final Listener listener;
    private volatile boolean running;

    BatchStatusChanges(BatchNotifications notifications, ApplicationEventPublisher events) {
        this.listener = notifications.listener(
                "sluice-batch-listener",
                () -> events.publishEvent(BatchStatusChanged.ANY),
                batchId -> events.publishEvent(new BatchStatusChanged(batchId)));
    }

    @Override
    public void start() {
        running = true;
        listener.start();
    }

    @Override
    public void stop() {
        running = false;
        listener.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
