package dev.sluice.worker.alert;

import dev.sluice.db.operations.AlertStateRepository;
import dev.sluice.db.operations.QueueStats;
import dev.sluice.db.operations.QueueStatsRepository;
import dev.sluice.db.operations.WorkerHeartbeatRepository;
import dev.sluice.worker.WorkerProperties;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
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
 * change is announced once. The lock and its transaction cover only deciding and recording the changes; the
 * messages are sent after the commit. A message the receiver refuses has its state put back, so it is sent
 * again at the next evaluation.
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

    BacklogAlerts(
            QueueStatsRepository stats,
            AlertStateRepository states,
            AlertWebhook webhook,
            TransactionTemplate transaction,
            InstantSource clock,
            WorkerProperties properties) {
        this.stats = stats;
        this.states = states;
        this.webhook = webhook;
        this.transaction = transaction;
        this.clock = clock;
        this.settings = properties.alerts();
    }

    /**
     * Evaluates the alert once for every model and sends what changed; returns how many messages were sent
     * (0 as well when no webhook is configured or another worker is evaluating right now). The changes are
     * decided and recorded under the advisory lock in one short transaction, and sent after it commits, so no
     * transaction or pool connection is held across the webhook calls. Only the evaluation that recorded a
     * change sends it, which keeps "each change is announced once" with any number of workers; a message the
     * receiver refuses has its state put back, so it is sent again at the next evaluation.
     */
    public int runOnce() {
        if (!settings.enabled()) {
            return 0;
        }
        List<Change> changes = transaction.execute(status -> states.tryLock() ? decideAndRecord() : List.of());
        int sent = 0;
        for (Change change : changes == null ? List.<Change>of() : changes) {
            try {
                if (webhook.send(change.text())) {
                    log.info("Backlog alert for model {} {}", change.model(), change.fires() ? "fired" : "recovered");
                    sent++;
                } else {
                    putBack(change);
                }
            } catch (InterruptedException e) {
                putBack(change);
                Thread.currentThread().interrupt();
                return sent;
            }
        }
        return sent;
    }

    /** The state changes of this evaluation, already recorded as the new states. */
    private List<Change> decideAndRecord() {
        Instant now = clock.instant();
        Map<String, Boolean> firing = states.states(ALERT);
        List<Change> changes = new ArrayList<>();
        for (QueueStats queue :
                stats.perModel(now.minus(Duration.ofHours(1)), now.minus(WorkerHeartbeatRepository.LIVE_WITHIN))) {
            Duration age = queue.oldestWaitingSince() == null
                    ? Duration.ZERO
                    : Duration.between(queue.oldestWaitingSince(), now);
            boolean fires = age.compareTo(settings.backlogAge()) > 0;
            if (fires == firing.getOrDefault(queue.model(), false)) {
                continue;
            }
            states.set(ALERT, queue.model(), fires, now);
            changes.add(new Change(queue.model(), fires, text(queue, age, fires, settings.backlogAge())));
        }
        return changes;
    }

    /** A change whose message did not go out returns to its previous state, to be announced again. */
    private void putBack(Change change) {
        states.set(ALERT, change.model(), !change.fires(), clock.instant());
    }

    /** One model's alert turning on or off, and its message. */
    private record Change(String model, boolean fires, String text) {}

    /** The message of one change; the model name is the tenant's choice, so it is escaped ({@link ChatText}). */
    static String text(QueueStats queue, Duration age, boolean fires, Duration threshold) {
        String model = ChatText.escape(queue.model());
        String numbers = queue.waiting() + " waiting, " + queue.running() + " in flight, " + queue.consumers()
                + " consumer(s), " + queue.rateLimitedRecently() + " 429(s) in the last hour";
        if (fires) {
            return "[FIRING] Sluice backlog: the oldest waiting job of model " + model + " is "
                    + age.toSeconds() + " s old (threshold " + threshold.toSeconds() + " s); " + numbers
                    + ". See GET /admin/queues and docs/operations.md.";
        }
        return "[RESOLVED] Sluice backlog: model " + model + " has no job waiting longer than " + threshold.toSeconds()
                + " s any more; " + numbers + ".";
    }
}
