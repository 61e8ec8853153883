package dev.sluice.worker.webhook;

import dev.sluice.common.Ids;
import dev.sluice.common.secret.SecretCipher;
import dev.sluice.common.webhook.WebhookAddressPolicy;
import dev.sluice.db.webhook.DueWebhookEvent;
import dev.sluice.db.webhook.WebhookDelivery;
import dev.sluice.db.webhook.WebhookDeliveryRepository;
import dev.sluice.db.webhook.WebhookEventRepository;
import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.metrics.WebhookMetrics;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers due webhook events, each attempt recorded. An event is claimed with {@code FOR UPDATE SKIP LOCKED}
 * and its due time pushed past the attempt's timeout, so two workers never send the same attempt at once and
 * the event of a worker that died mid-attempt comes due again by itself. Any 2xx delivers it; another status, a
 * timeout or no connection is retried on the schedule; 410 Gone and a refused address (SSRF) end it at once.
 *
 * <p>Fair between tenants: each attempt runs on a virtual thread of its own and nothing waits for a group of
 * them. A slot freed by a fast receiver is claimed again at once when the last claim may have left due events
 * behind (it filled every free slot, or a tenant's share), otherwise at the next run, while a slow one is still
 * hanging.
 * This worker runs at most {@code max-in-flight} attempts at once and at most {@code max-in-flight-per-tenant}
 * of one tenant's, and the claim takes due events in turns between tenants: a receiver that hangs for the whole
 * timeout holds only its own tenant's slots, never another tenant's.
 */
@Component
public class WebhookDeliverer implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(WebhookDeliverer.class);

    private final WebhookEventRepository events;
    private final WebhookDeliveryRepository deliveries;
    private final TransactionTemplate transaction;
    private final InstantSource clock;
    private final WebhookMetrics metrics;
    private final WebhookSender sender;
    private final RetrySchedule schedule;
    private final Duration lease;
    private final int maxInFlight;
    private final int maxInFlightPerTenant;
    private final ExecutorService attempts = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("sluice-webhook-", 0).factory());
    /** Attempts running now, per tenant; guarded by {@code this}. */
    private final Map<String, Integer> inFlight = new HashMap<>();

    private int running;
    /** The last claim may have left due events behind: a finished attempt claims again at once. */
    private volatile boolean moreDue;
    /** A finished attempt is claiming again; one at a time. */
    private final AtomicBoolean refilling = new AtomicBoolean();

    WebhookDeliverer(
            WebhookEventRepository events,
            WebhookDeliveryRepository deliveries,
            TransactionTemplate transaction,
            InstantSource clock,
            WebhookMetrics metrics,
            WorkerProperties properties,
            SecretCipher secrets) {
        WorkerProperties.Webhook settings = properties.webhook();
        this.events = events;
        this.deliveries = deliveries;
        this.transaction = transaction;
        this.clock = clock;
        this.metrics = metrics;
        this.sender = new WebhookSender(
                WebhookAddressPolicy.of(settings.allowPrivate()), settings.timeout(), settings.maxInFlight(), secrets);
        this.schedule = new RetrySchedule(
                settings.retrySchedule(),
                settings.jitter(),
                () -> ThreadLocalRandom.current().nextDouble());
        // Twice the attempt's timeout: the attempt itself, then ample time to record it, before a claimed event is
        // presumed abandoned by a dead worker and sent again.
        this.lease = settings.timeout().multipliedBy(2);
        this.maxInFlight = settings.maxInFlight();
        this.maxInFlightPerTenant = settings.maxInFlightPerTenant();
    }

    /**
     * Claims as many due events as this worker has free slots for (within each tenant's share) and starts an
     * attempt for each without waiting for any; returns how many it started.
     */
    public synchronized int runOnce() {
        int free = maxInFlight - running;
        if (free <= 0) {
            moreDue = true;
            return 0;
        }
        Instant now = clock.instant();
        List<DueWebhookEvent> due =
                events.claimDue(now, now.plus(lease), free, maxInFlightPerTenant, Map.copyOf(inFlight));
        for (DueWebhookEvent event : due) {
            inFlight.merge(event.tenantId(), 1, Integer::sum);
        }
        moreDue = due.size() == free || inFlight.values().stream().anyMatch(n -> n >= maxInFlightPerTenant);
        for (DueWebhookEvent event : due) {
            running++;
            try {
                attempts.submit(() -> deliver(event));
            } catch (RejectedExecutionException e) {
                // Shutting down: the claim runs out and another worker sends it.
                finished(event);
            }
        }
        return due.size();
    }

    /**
     * Claims what is due ({@link #runOnce}) and returns when the next pending event comes due, when that is later
     * than now: the delivery loop sleeps until then unless it is rung first. A due event left unclaimed because this
     * worker's slots or the tenant's share were full is claimed when an attempt finishes, so it asks for no time.
     */
    public Optional<Instant> deliverDue() {
        runOnce();
        Instant now = clock.instant();
        return events.nextDue().filter(now::isBefore);
    }

    /**
     * Waits until no attempt is running (each recorded), at most {@code timeout}; true when none is. For tests,
     * which drive {@link #runOnce()} and then look at what the receivers got.
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (running > 0 || refilling.get()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    private synchronized void finished(DueWebhookEvent event) {
        inFlight.computeIfPresent(event.tenantId(), (tenant, count) -> count == 1 ? null : count - 1);
        running--;
        notifyAll();
    }

    private void deliver(DueWebhookEvent event) {
        try {
            attempt(event);
        } finally {
            boolean refill = moreDue && refilling.compareAndSet(false, true);
            finished(event);
            if (refill) {
                refill();
            }
        }
    }

    /** Claims for the slot just freed rather than leaving it idle until the next run. */
    private void refill() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            // The next run of the loop claims them.
            log.debug("Claiming webhook events after an attempt failed: {}", e.getMessage());
        } finally {
            synchronized (this) {
                refilling.set(false);
                notifyAll();
            }
        }
    }

    private void attempt(DueWebhookEvent event) {
        try {
            Instant started = clock.instant();
            SendResult result = sender.send(event, started.getEpochSecond());
            Instant finished = clock.instant();
            metrics.attempted(outcome(result));
            record(event, result, started, finished);
        } catch (RuntimeException e) {
            // The claim runs out and the event comes due again; nothing is lost.
            log.warn("Delivering webhook {} failed; it will be tried again once its claim runs out", event.id(), e);
        }
    }

    private void record(DueWebhookEvent event, SendResult result, Instant started, Instant finished) {
        Optional<Duration> retry = switch (result) {
            case SendResult.Rejected r -> schedule.after(event.roundAttempt());
            case SendResult.Unreachable u -> schedule.after(event.roundAttempt());
            case SendResult.Unsigned u -> schedule.after(event.roundAttempt());
            case SendResult.Delivered d -> Optional.empty();
            case SendResult.Gone g -> Optional.empty();
            case SendResult.Refused r -> Optional.empty();
        };
        Instant nextAttempt = retry.map(finished::plus).orElse(null);
        WebhookDelivery delivery = new WebhookDelivery(
                "whdel_" + Ids.random(12),
                event.id(),
                event.type(),
                event.tenantId(),
                event.subjectId(),
                event.attempt(),
                event.url(),
                status(result),
                responseStatus(result),
                error(result),
                Duration.between(started, finished).toMillis(),
                started,
                nextAttempt);
        transaction.executeWithoutResult(tx -> {
            deliveries.insert(delivery);
            if (result instanceof SendResult.Delivered) {
                events.markDelivered(event.id(), event.attempt(), finished);
            } else if (nextAttempt != null) {
                events.retryAt(event.id(), event.attempt(), nextAttempt);
            } else {
                events.markFailed(event.id(), event.attempt());
            }
        });
        if (result instanceof SendResult.Delivered) {
            log.info(
                    "Webhook {} ({}) delivered to {} on attempt {}",
                    event.id(),
                    event.type(),
                    event.subjectId(),
                    event.attempt());
        } else {
            log.warn(
                    "Webhook {} attempt {} for {}: {}; {}",
                    event.id(),
                    event.attempt(),
                    event.subjectId(),
                    error(result),
                    nextAttempt == null ? "no more attempts" : "next at " + nextAttempt);
        }
    }

    private static String status(SendResult result) {
        return switch (result) {
            case SendResult.Delivered d -> "delivered";
            case SendResult.Refused r -> "refused";
            case SendResult.Gone g -> "failed";
            case SendResult.Rejected r -> "failed";
            case SendResult.Unreachable u -> "failed";
            case SendResult.Unsigned u -> "failed";
        };
    }

    private static WebhookMetrics.Outcome outcome(SendResult result) {
        return switch (result) {
            case SendResult.Delivered d -> WebhookMetrics.Outcome.DELIVERED;
            case SendResult.Rejected r -> WebhookMetrics.Outcome.FAILED;
            case SendResult.Unreachable u -> WebhookMetrics.Outcome.FAILED;
            case SendResult.Gone g -> WebhookMetrics.Outcome.GONE;
            case SendResult.Refused r -> WebhookMetrics.Outcome.REFUSED;
            // Nothing was sent, but the attempt failed and will be retried: it counts with the failures.
            case SendResult.Unsigned u -> WebhookMetrics.Outcome.FAILED;
        };
    }

    private static Integer responseStatus(SendResult result) {
        return switch (result) {
            case SendResult.Delivered d -> d.status();
            case SendResult.Gone g -> g.status();
            case SendResult.Rejected r -> r.status();
            case SendResult.Unreachable u -> null;
            case SendResult.Unsigned u -> null;
            case SendResult.Refused r -> null;
        };
    }

    private static String error(SendResult result) {
        return switch (result) {
            case SendResult.Delivered d -> null;
            case SendResult.Gone g -> "the receiver answered 410 Gone; retries stopped";
            case SendResult.Rejected r -> "the receiver answered " + r.status();
            case SendResult.Unreachable u -> u.error();
            case SendResult.Unsigned u -> "not sent: " + u.reason();
            case SendResult.Refused r -> "refused: " + r.reason();
        };
    }

    @Override
    public void destroy() throws IOException {
        // Attempts cut short here are recorded by nobody; their claims run out and another worker sends them.
        attempts.shutdownNow();
        sender.close();
    }
}
