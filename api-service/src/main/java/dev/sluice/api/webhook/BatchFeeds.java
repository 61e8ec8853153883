package dev.sluice.api.webhook;

import dev.sluice.api.ApiProperties;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.batch.BatchStatusChanged;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The readers behind {@code GET /v1/batches/{id}/events}: one poller per batch with open streams, however many
 * there are. Each poll reads the batch once ({@code sluice_events_polls_total}) and hands a changed event to all
 * its streams; the poller starts with the batch's first stream and stops with its last, or once the batch is
 * settled. A poller is a virtual thread that idles between polls; a failed read is retried at the next poll. A change
 * of the batch's status, announced by PostgreSQL ({@link BatchStatusChanged}), has its poller read it at once.
 */
@Component
class BatchFeeds {

    private static final Logger log = LoggerFactory.getLogger(BatchFeeds.class);

    private final BatchRepository batches;
    private final Duration pollInterval;
    private final Counter polls;
    private final AtomicInteger streams = new AtomicInteger();
    private final ConcurrentHashMap<String, BatchFeed> feeds = new ConcurrentHashMap<>();
    private volatile boolean closing;

    BatchFeeds(BatchRepository batches, ApiProperties properties, MeterRegistry meters) {
        this.batches = batches;
        this.pollInterval = properties.events().pollInterval();
        this.polls = Counter.builder("sluice.events.polls")
                .description("Reads of a batch for its open event streams: one per batch per poll interval")
                .register(meters);
        Gauge.builder("sluice.events.streams", streams, AtomicInteger::get)
                .description("Open GET /v1/batches/{id}/events streams")
                .register(meters);
        Gauge.builder("sluice.events.batches", feeds, ConcurrentHashMap::size)
                .description("Batches polled for their open event streams")
                .register(meters);
    }

    /** Opens a stream on the tenant's batch (the caller has checked that it is theirs). */
    BatchSubscription join(String tenantId, String batchId) {
        BatchSubscription subscription = new BatchSubscription(this, batchId);
        streams.incrementAndGet();
        feeds.compute(batchId, (id, feed) -> {
            BatchFeed joined = feed != null ? feed : start(tenantId, id);
            joined.join(subscription);
            return joined;
        });
        if (closing) {
            subscription.end();
        }
        return subscription;
    }

    /** Closes a stream; with the batch's last one its poller stops. */
    void leave(BatchSubscription subscription) {
        streams.decrementAndGet();
        feeds.computeIfPresent(subscription.batchId(), (id, feed) -> {
            if (!feed.leave(subscription)) {
                return feed;
            }
            feed.stop();
            return null;
        });
    }

    /** Has the pollers of batches whose status changed read them now rather than at their next interval. */
    @EventListener
    void on(BatchStatusChanged changed) {
        feeds.forEach((batchId, feed) -> {
            if (changed.concerns(batchId)) {
                feed.wake();
            }
        });
    }

    /**
     * Ends every open stream once the service starts shutting down (this event comes before the web server's
     * graceful shutdown waits for open requests); clients reconnect, to another replica.
     */
    @EventListener(ContextClosedEvent.class)
    void closing() {
        closing = true;
        feeds.keySet()
                .forEach(batchId -> feeds.computeIfPresent(batchId, (id, feed) -> {
                    feed.endAll();
                    return feed;
                }));
    }

    private BatchFeed start(String tenantId, String batchId) {
        BatchFeed feed = new BatchFeed(tenantId, batchId);
        Thread.ofVirtual().name("batch-events-" + batchId).start(() -> poll(feed));
        return feed;
    }

    private void poll(BatchFeed feed) {
        try {
            do {
                BatchEvent event = read(feed);
                if (event != null) {
                    publish(feed, event);
                }
            } while (!feed.awaitStop(pollInterval));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The batch's event now; null when it could not be read. */
    private BatchEvent read(BatchFeed feed) {
        polls.increment();
        try {
            Optional<BatchRow> found = batches.find(feed.tenantId(), feed.batchId());
            if (found.isEmpty()) {
                return BatchEvent.END;
            }
            BatchRow row = found.get();
            if (BatchProgress.settled(row)) {
                return BatchEvent.settled(row.status().wire(), BatchProgress.of(row, null));
            }
            return BatchEvent.progress(BatchProgress.of(row, batches.liveCounts(row.id())));
        } catch (RuntimeException e) {
            log.warn(
                    "Reading batch {} for its event streams failed; retrying in {}: {}",
                    feed.batchId(),
                    pollInterval,
                    e.toString());
            return null;
        }
    }

    /** Fans {@code event} out; the batch's last event also ends its streams and removes its feed. */
    private void publish(BatchFeed feed, BatchEvent event) {
        feeds.computeIfPresent(feed.batchId(), (id, current) -> {
            if (current != feed) {
                return current;
            }
            feed.publish(event);
            if (!event.last()) {
                return feed;
            }
            feed.endAll();
            feed.stop();
            return null;
        });
    }
}
