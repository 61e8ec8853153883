package dev.sluice.db.webhook;

import dev.sluice.common.Ids;
import dev.sluice.common.webhook.WebhookPayload;
import dev.sluice.db.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The {@code webhook_events} outbox: one event per finished batch or single job that has a {@code webhook_url},
 * and its delivery state. Events are made by a sweep over the batches and jobs themselves (each marked with its
 * event id in the same transaction), so no terminal transition anywhere has to create one.
 */
@Repository
public class WebhookEventRepository {

    private static final String LOCK_UNSWEPT_BATCHES = """
            SELECT id, tenant_id, 'batch.' || status AS type, webhook_url,
                   webhook_events IS NULL OR 'batch.' || status = ANY(webhook_events) AS wanted
              FROM batches
             WHERE webhook_url IS NOT NULL AND webhook_event_id IS NULL
               AND status IN ('completed', 'failed', 'expired', 'cancelled')
             LIMIT :limit
               FOR UPDATE SKIP LOCKED
            """;

    private static final String LOCK_UNSWEPT_JOBS = """
            SELECT id, tenant_id, 'job.' || status AS type, webhook_url,
                   webhook_events IS NULL OR 'job.' || status = ANY(webhook_events) AS wanted
              FROM jobs
             WHERE batch_id IS NULL AND webhook_url IS NOT NULL AND webhook_event_id IS NULL
               AND status IN ('succeeded', 'failed', 'cancelled', 'expired')
             LIMIT :limit
               FOR UPDATE SKIP LOCKED
            """;

    private static final String MARK_BATCH_SWEPT = "UPDATE batches SET webhook_event_id = :eventId WHERE id = :id";

    private static final String MARK_JOB_SWEPT = "UPDATE jobs SET webhook_event_id = :eventId WHERE id = :id";

    /**
     * What marks a subject whose terminal event type its {@code webhook_events} filter leaves out: it gets no
     * event, and leaves the sweep's partial indexes all the same. Never an event id (those start with "evt_").
     */
    public static final String FILTERED_OUT = "filtered";

    private static final String INSERT_EVENT = """
            INSERT INTO webhook_events (id, tenant_id, subject_id, type, url, payload, status, next_attempt_at,
                                        created_at)
            VALUES (:id, :tenantId, :subjectId, :type, :url, :payload, 'pending', :now, :now)
            ON CONFLICT ON CONSTRAINT webhook_events_subject_uq DO NOTHING
            """;

    /**
     * Pushing next_attempt_at past the attempt's timeout is the claim: a dead worker's event comes due again.
     * Fair between tenants: each tenant's oldest due events are locked on their own (at most its free slots on
     * this worker, {@code SKIP LOCKED} so other workers take the next ones), and the events are taken in turns —
     * every tenant's first, then every tenant's second, ... — so one tenant's backlog never fills the claim.
     * The per-tenant probe runs on {@code webhook_events_tenant_due_ix} (V24).
     */
    private static final String CLAIM_DUE = """
            WITH turns AS (
                SELECT d.id, d.next_attempt_at,
                       row_number() OVER (PARTITION BY t.id ORDER BY d.next_attempt_at, d.id) AS turn
                  FROM tenants t
                  LEFT JOIN unnest(CAST(:busyTenants AS text[]), CAST(:busyInFlight AS integer[]))
                            AS busy(tenant_id, in_flight) ON busy.tenant_id = t.id
                 CROSS JOIN LATERAL (
                        SELECT e.id, e.next_attempt_at
                          FROM webhook_events e
                         WHERE e.tenant_id = t.id AND e.status = 'pending' AND e.next_attempt_at <= :now
                         ORDER BY e.next_attempt_at
                         LIMIT greatest(0, :perTenant - coalesce(busy.in_flight, 0))
                           FOR UPDATE SKIP LOCKED) d
            ), picked AS (
                SELECT id FROM turns ORDER BY turn, next_attempt_at, id LIMIT :limit
            )
            UPDATE webhook_events e
               SET attempts = e.attempts + 1, round_attempts = e.round_attempts + 1, next_attempt_at = :leaseUntil
              FROM tenants t
             WHERE t.id = e.tenant_id
               AND e.id IN (SELECT id FROM picked)
            RETURNING e.id, e.tenant_id, e.subject_id, e.type, e.url, e.payload, e.attempts, e.round_attempts,
                      t.webhook_secret,
                      CASE WHEN t.previous_webhook_secret_expires_at > :now THEN t.previous_webhook_secret END
                          AS previous_secret
            """;

    /** Every outcome is conditional on the attempt still being the event's latest: a late, stale worker changes nothing. */
    private static final String MARK_DELIVERED = """
            UPDATE webhook_events SET status = 'delivered', delivered_at = :now, next_attempt_at = NULL
             WHERE id = :id AND status = 'pending' AND attempts = :attempt
            """;

    private static final String RETRY_AT = """
            UPDATE webhook_events SET next_attempt_at = :at
             WHERE id = :id AND status = 'pending' AND attempts = :attempt
            """;

    private static final String MARK_FAILED = """
            UPDATE webhook_events SET status = 'failed', next_attempt_at = NULL
             WHERE id = :id AND status = 'pending' AND attempts = :attempt
            """;

    private static final String REDELIVER = """
            UPDATE webhook_events
               SET status = 'pending', round_attempts = 0, next_attempt_at = :now, delivered_at = NULL
             WHERE id = :id AND tenant_id = :tenantId AND status <> 'pending'
            """;

    /** The metrics' view of the outbox; the partial index on pending events keeps it cheap. */
    private static final String PENDING_BACKLOG = """
            SELECT count(*) AS pending, min(created_at) AS oldest
              FROM webhook_events
             WHERE status = 'pending'
            """;

    /** When the next pending event comes due (a claimed one: when its claim runs out); on webhook_events_due_ix. */
    private static final String NEXT_DUE = """
            SELECT min(next_attempt_at) AS next_due FROM webhook_events WHERE status = 'pending'
            """;

    private final JdbcClient jdbc;

    public WebhookEventRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Creates the events of up to {@code limit} finished batches and as many single jobs; returns how many
     * subjects it swept, including those whose {@code webhook_events} filter leaves their event out (marked
     * {@link #FILTERED_OUT}, no event).
     */
    @Transactional
    public int createPending(Instant now, int limit) {
        return create(LOCK_UNSWEPT_BATCHES, MARK_BATCH_SWEPT, now, limit)
                + create(LOCK_UNSWEPT_JOBS, MARK_JOB_SWEPT, now, limit);
    }

    private int create(String lockSql, String markSql, Instant now, int limit) {
        record Subject(String id, String tenantId, String type, String url, boolean wanted) {}
        List<Subject> subjects = jdbc.sql(lockSql)
                .param("limit", limit)
                .query((rs, n) -> new Subject(
                        rs.getString("id"),
                        rs.getString("tenant_id"),
                        rs.getString("type"),
                        rs.getString("webhook_url"),
                        rs.getBoolean("wanted")))
                .list();
        for (Subject subject : subjects) {
            if (!subject.wanted()) {
                jdbc.sql(markSql)
                        .param("eventId", FILTERED_OUT)
                        .param("id", subject.id())
                        .update();
                continue;
            }
            String eventId = Ids.event();
            jdbc.sql(INSERT_EVENT)
                    .param("id", eventId)
                    .param("tenantId", subject.tenantId())
                    .param("subjectId", subject.id())
                    .param("type", subject.type())
                    .param("url", subject.url())
                    .param("payload", WebhookPayload.of(eventId, subject.type(), now.getEpochSecond(), subject.id()))
                    .param("now", Timestamps.bind(now))
                    .update();
            jdbc.sql(markSql)
                    .param("eventId", eventId)
                    .param("id", subject.id())
                    .update();
        }
        return subjects.size();
    }

    /**
     * Claims up to {@code limit} due events until {@code leaseUntil}, each for one attempt, at most
     * {@code perTenant} of a tenant less what {@code inFlight} says the caller already has of it in flight, taken
     * in turns between tenants (each tenant's oldest first).
     */
    public List<DueWebhookEvent> claimDue(
            Instant now, Instant leaseUntil, int limit, int perTenant, Map<String, Integer> inFlight) {
        List<String> busyTenants = List.copyOf(inFlight.keySet());
        return jdbc.sql(CLAIM_DUE)
                .param("now", Timestamps.bind(now))
                .param("leaseUntil", Timestamps.bind(leaseUntil))
                .param("limit", limit)
                .param("perTenant", perTenant)
                .param("busyTenants", busyTenants.toArray(String[]::new))
                .param("busyInFlight", busyTenants.stream().map(inFlight::get).toArray(Integer[]::new))
                .query((rs, n) -> {
                    List<String> secrets = new ArrayList<>(2);
                    secrets.add(rs.getString("webhook_secret"));
                    String previous = rs.getString("previous_secret");
                    if (previous != null) {
                        secrets.add(previous);
                    }
                    return new DueWebhookEvent(
                            rs.getString("id"),
                            rs.getString("tenant_id"),
                            rs.getString("subject_id"),
                            rs.getString("type"),
                            rs.getString("url"),
                            rs.getString("payload"),
                            rs.getInt("attempts"),
                            rs.getInt("round_attempts"),
                            List.copyOf(secrets));
                })
                .list();
    }

    /** The attempt got a 2xx; false if the event has moved on since it was claimed. */
    public boolean markDelivered(String id, int attempt, Instant now) {
        return jdbc.sql(MARK_DELIVERED)
                        .param("id", id)
                        .param("attempt", attempt)
                        .param("now", Timestamps.bind(now))
                        .update()
                == 1;
    }

    /** The attempt failed; the next one is due at {@code at}. */
    public boolean retryAt(String id, int attempt, Instant at) {
        return jdbc.sql(RETRY_AT)
                        .param("id", id)
                        .param("attempt", attempt)
                        .param("at", Timestamps.bind(at))
                        .update()
                == 1;
    }

    /** The attempt failed and no other follows (retries ran out, 410 Gone, or a refused address). */
    public boolean markFailed(String id, int attempt) {
        return jdbc.sql(MARK_FAILED).param("id", id).param("attempt", attempt).update() == 1;
    }

    /**
     * Makes the tenant's delivered or failed event due now, with the whole retry schedule ahead of it again;
     * false when it is still pending (its delivery is under way or scheduled) or not the tenant's.
     */
    public boolean redeliver(String tenantId, String id, Instant now) {
        return jdbc.sql(REDELIVER)
                        .param("tenantId", tenantId)
                        .param("id", id)
                        .param("now", Timestamps.bind(now))
                        .update()
                == 1;
    }

    /** When the next pending event comes due, or empty when none is pending. */
    public Optional<Instant> nextDue() {
        // min() of no rows is one row of NULL, which optional() turns into empty.
        return jdbc.sql(NEXT_DUE)
                .query((rs, n) -> Timestamps.read(rs, "next_due"))
                .optional();
    }

    /** How many events are pending (due or waiting for a retry) and since when the oldest has been. */
    public WebhookBacklog pendingBacklog() {
        return jdbc.sql(PENDING_BACKLOG)
                .query((rs, n) -> new WebhookBacklog(rs.getLong("pending"), Timestamps.read(rs, "oldest")))
                .single();
    }
}
