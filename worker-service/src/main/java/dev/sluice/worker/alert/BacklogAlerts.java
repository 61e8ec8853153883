package dev.sluice.worker.alert;

import dev.sluice.db.operations.AlertStateRepository;
import dev.sluice.db.operations.QueueStats;
import dev.sluice.db.operations.QueueStatsRepository;
import dev.sluice.db.operations.WorkerHeartbeatRepository;
import dev.sluice.worker.WorkerProperties;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The alert Sluice sends itself, for teams without Prometheus: when a model's oldest waiting job gets older
 * than {@code sluice.alerts.backlog-age}, one message; when it no longer is (the backlog drained or was
 * cancelled), one more. Whether each model's alert fires is kept in {@code alert_states}, and evaluation runs
 * under a transaction-scoped advisory lock, so with any number of workers one evaluates at a time and each
 * change is announced once. A message the receiver refuses leaves the state unchanged, so it is sent again
 * at the next evaluation.
 */
@Component
public class BacklogAlerts {

    /** The {@code alert_states.alert} of this alert. */
    static final String ALERT = "backlog_age";

    private static final Logger log = LoggerFactory.getLogger(BacklogAlerts.class);

    private final QueueStatsRepository stats;
    private final AlertStateRepository states;
    private final AlertWebhook webhook;
    private final TransactionTemplate transaction;
    private final InstantSource clock;
    private final WorkerProperties.Alerts settings;

    BacklogAlerts(QueueStatsRepository stats, AlertStateRepository states, AlertWebhook webhook,
            TransactionTemplate transaction, InstantSource clock, WorkerProperties properties) {
        this.stats = stats;
        this.states = states;
        this.webhook = webhook;
        this.transaction = transaction;
        this.clock = clock;
        this.settings = properties.alerts();
    }

    /**
     * Evaluates the alert once for every model and sends what changed; returns how many messages were sent
     * (0 as well when no webhook is configured or another worker is evaluating right now).
     */
    public int runOnce() {
        if (!settings.enabled()) {
            return 0;
        }
        Integer sent = transaction.execute(status -> {
            if (!states.tryLock()) {
                return 0;
            }
            try {
                return evaluate();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        });
        return sent == null ? 0 : sent;
    }

    private int evaluate() throws InterruptedException {
        Instant now = clock.instant();
        Map<String, Boolean> firing = states.states(ALERT);
        int sent = 0;
        for (QueueStats queue : stats.perModel(now.minus(Duration.ofHours(1)),
                now.minus(WorkerHeartbeatRepository.LIVE_WITHIN))) {
            Duration age = queue.oldestWaitingSince() == null ? Duration.ZERO
                    : Duration.between(queue.oldestWaitingSince(), now);
            boolean fires = age.compareTo(settings.backlogAge()) > 0;
            if (fires == firing.getOrDefault(queue.model(), false)) {
                continue;
            }
            if (webhook.send(text(queue, age, fires))) {
                states.set(ALERT, queue.model(), fires, now);
                log.info("Backlog alert for model {} {}", queue.model(), fires ? "fired" : "recovered");
                sent++;
            }
        }
        return sent;
    }

    private String text(QueueStats queue, Duration age, boolean fires) {
        String numbers = queue.waiting() + " waiting, " + queue.running() + " in flight, " + queue.consumers()
                + " consumer(s), " + queue.rateLimitedRecently() + " 429(s) in the last hour";
        if (fires) {
            return "[FIRING] Sluice backlog: the oldest waiting job of model " + queue.model() + " is "
                    + age.toSeconds() + " s old (threshold " + settings.backlogAge().toSeconds() + " s); " + numbers
                    + ". See GET /admin/queues and docs/operations.md.";
        }
        return "[RESOLVED] Sluice backlog: model " + queue.model() + " has no job waiting longer than "
                + settings.backlogAge().toSeconds() + " s any more; " + numbers + ".";
    }
}
