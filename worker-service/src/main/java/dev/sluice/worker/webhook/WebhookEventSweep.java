package dev.sluice.worker.webhook;

import dev.sluice.db.webhook.WebhookEventRepository;
import dev.sluice.worker.WorkerProperties;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Fills the webhook outbox: one event for each batch or single job that has a {@code webhook_url}, reached a
 * terminal state and has no event yet. Reading the state from PostgreSQL instead of hooking every transition
 * (the executor, the finaliser, the api's cancel paths) means an event is never missed, even when the process
 * that finished the batch died right after; any number of workers may sweep at once (rows are locked
 * {@code SKIP LOCKED} and each subject has at most one event).
 */
@Component
public class WebhookEventSweep {

    private static final Logger log = LoggerFactory.getLogger(WebhookEventSweep.class);

    private final WebhookEventRepository events;
    private final InstantSource clock;
    private final int batchSize;

    WebhookEventSweep(WebhookEventRepository events, InstantSource clock, WorkerProperties properties) {
        this.events = events;
        this.clock = clock;
        this.batchSize = properties.webhook().batchSize();
    }

    /**
     * Sweeps ({@link #runOnce}); returns now when the sweep may have left subjects behind (it took a full batch of
     * them), so that the loop runs again at once, otherwise empty.
     */
    public Optional<Instant> sweep() {
        return runOnce() >= batchSize ? Optional.of(clock.instant()) : Optional.empty();
    }

    /** Creates the events of finished batches and jobs that lack one (none for a type their webhook_events filter leaves out); returns how many subjects it swept. */
    public int runOnce() {
        int created = events.createPending(clock.instant(), batchSize);
        if (created > 0) {
            log.info("Swept {} finished subject(s) into the webhook outbox", created);
        }
        return created;
    }
}
