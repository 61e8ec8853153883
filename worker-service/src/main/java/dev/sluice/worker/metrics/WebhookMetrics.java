package dev.sluice.worker.metrics;

import dev.sluice.db.webhook.WebhookBacklog;
import dev.sluice.db.webhook.WebhookEventRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The completion webhooks as meters (catalogue: docs/operations.md): every delivery attempt counted by its
 * {@link Outcome} ({@code sluice_webhook_deliveries_total{outcome}}), and the outbox's pending events and the
 * oldest one's age, read from PostgreSQL by {@link #refresh()} on the operations loop, not on every scrape.
 */
@Component
public class WebhookMetrics {

    /** What one delivery attempt came to: the {@code outcome} label, a closed set. */
    public enum Outcome {
        /** The receiver answered 2xx. */
        DELIVERED,
        /** Another status, or no answer (timeout, connection refused): retried until the schedule runs out. */
        FAILED,
        /** The receiver answered 410 Gone: the event is given up at once, by the tenant's wish. */
        GONE,
        /** The address is not allowed (SSRF protection): nothing was sent, the event is given up. */
        REFUSED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final WebhookEventRepository events;
    private final InstantSource clock;
    private final Map<Outcome, Counter> deliveries = new EnumMap<>(Outcome.class);
    private volatile long pending;
    private volatile double oldestAgeSeconds;

    WebhookMetrics(WebhookEventRepository events, InstantSource clock, MeterRegistry meters) {
        this.events = events;
        this.clock = clock;
        for (Outcome outcome : Outcome.values()) {
            // Registered up front, so a rate() over the failures reads 0, not "no data", before the first one.
            deliveries.put(
                    outcome,
                    Counter.builder("sluice.webhook.deliveries")
                            .description("Webhook delivery attempts, by outcome")
                            .tag("outcome", outcome.label())
                            .register(meters));
        }
        Gauge.builder("sluice.webhook.events.pending", this, metrics -> metrics.pending)
                .description("Webhook events not yet delivered or given up (from PostgreSQL)")
                .register(meters);
        Gauge.builder("sluice.webhook.events.oldest.age", this, metrics -> metrics.oldestAgeSeconds)
                .description("Age of the oldest pending webhook event (0 when none is pending)")
                .baseUnit("seconds")
                .register(meters);
    }

    /** Counts one delivery attempt. */
    public void attempted(Outcome outcome) {
        deliveries.get(outcome).increment();
    }

    /** Reads the outbox's backlog once and sets the gauges. */
    void refresh() {
        WebhookBacklog backlog = events.pendingBacklog();
        pending = backlog.pending();
        oldestAgeSeconds = backlog.oldestSince() == null
                ? 0.0
                : Math.max(
                        0,
                        Duration.between(backlog.oldestSince(), clock.instant()).toMillis() / 1000.0);
    }
}
