package dev.sluice.db.lane;

import dev.sluice.db.Pipelined;
import dev.sluice.db.Timestamps;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.pacer.PacerBudgetRepository;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code lanes} table (V25): the lanes that have work waiting, with their fair-share pass. The api-service
 * {@link #enter enters} a lane once the broker has confirmed messages on its queue; a worker {@link #lock locks} a
 * model's lanes while it takes messages from them in the order of their pass, then {@link #advance advances} the
 * lanes it took from and {@link #leave removes} those it found empty, in the same transaction. docs/tenants.md
 * tells the rule.
 *
 * <p>Why no message is stranded: a publisher enters the lane only after its message is on the queue, and its upsert
 * of a lane row waits for the worker holding that row; so either the worker's take sees the message, or the upsert
 * comes after the worker's delete and enters the lane again (which rings the workers).
 */
@Repository
public class LaneRepository {

    /**
     * A new lane's pass is the lowest of the lanes waiting: it goes in the next round, with no credit from before.
     * An existing lane is only touched, which makes the upsert wait for a worker that holds the row.
     */
    private static final String ENTER = """
            INSERT INTO lanes (model, tenant_id, pass)
            SELECT v.model, v.tenant_id, coalesce((SELECT min(l.pass) FROM lanes l WHERE l.model = v.model), 0)
              FROM unnest(:models::text[], :tenants::text[]) AS v (model, tenant_id)
            ON CONFLICT (model, tenant_id) DO UPDATE SET published_at = now()
            """;

    /** The key of a model's lanes lock ({@link #LOCK}), for the SQL expression {@code model} that names the model. */
    private static String lanesLockKey(String model) {
        return "hashtextextended('sluice.lanes:' || " + model + ", 0)";
    }

    /**
     * After the confirm of a single job whose lane was entered ahead ({@link #enteringAhead}). First the model's lanes
     * lock, the one a take holds ({@link #LOCK}): a take in progress finishes first, so the statements after it read
     * what that take did. Then, only if the job is still queued and its lane has left (a take came before the message
     * and found the lane empty), the lane enters again, and a job still queued is marked published. A job claimed
     * already (the usual case: its take got the message while the broker confirmed it) writes nothing, so nothing
     * waits for the disk and no worker is rung for a lane with nothing in it.
     */
    private static final String ENTER_UNLESS_CLAIMED = """
            SELECT pg_advisory_xact_lock(%s) FROM jobs j WHERE j.id = :id;
            INSERT INTO lanes (model, tenant_id, pass)
            SELECT j.model, j.tenant_id, coalesce((SELECT min(l.pass) FROM lanes l WHERE l.model = j.model), 0)
              FROM jobs j
             WHERE j.id = :id AND j.status = 'queued'
            ON CONFLICT (model, tenant_id) DO NOTHING;
            UPDATE jobs SET published_at = now()
             WHERE id = :id AND status = 'queued'
               AND (published_at IS NULL OR published_at < rescued_at)
            """.formatted(lanesLockKey("j.model"));

    /**
     * The model's lock, then its lanes, in one round trip ({@link Pipelined}): the second statement starts once the
     * lock is held, so it reads the lanes as the lock's previous holder left them.
     */
    private static final String LOCK_MODEL = "SELECT pg_advisory_xact_lock(%s)".formatted(lanesLockKey(":model"));

    private static final String READ_LOCKED = """
            SELECT l.tenant_id, l.pass, coalesce(t.weight, 1) AS weight
              FROM lanes l LEFT JOIN tenants t ON t.id = l.tenant_id
             WHERE l.model = :model
             ORDER BY l.pass, l.tenant_id
               FOR UPDATE OF l
            """;

    private static final String LOCK = LOCK_MODEL + ";\n" + READ_LOCKED;

    private static final String ADVANCE = """
            UPDATE lanes l SET pass = v.pass
              FROM unnest(:tenants::text[], :passes::float8[]) AS v (tenant_id, pass)
             WHERE l.model = :model AND l.tenant_id = v.tenant_id
            """;

    private static final String LEAVE = """
            DELETE FROM lanes WHERE model = :model AND tenant_id = ANY(:leaving::text[])
            """;

    private static final String WITH_LANES = """
            SELECT DISTINCT model FROM lanes
            """;

    private static final String TENANTS_OF = """
            SELECT tenant_id FROM lanes WHERE model = :model
            """;

    private static final String WAITING = """
            SELECT l.model, l.tenant_id, t.name AS tenant_name, coalesce(t.weight, 1) AS weight, l.entered_at,
                   coalesce(sum(coalesce(t.weight, 1)) OVER (PARTITION BY l.model), 1) AS model_weight,
                   (SELECT count(*) FROM jobs j
                     WHERE j.status = 'queued' AND j.model = l.model AND j.tenant_id = l.tenant_id) AS queued
              FROM lanes l LEFT JOIN tenants t ON t.id = l.tenant_id
             ORDER BY l.model, l.pass, l.tenant_id
            """;

    private final JdbcClient jdbc;
    private final NamedParameterJdbcOperations pipelined;

    public LaneRepository(JdbcClient jdbc, NamedParameterJdbcOperations pipelined) {
        this.jdbc = jdbc;
        this.pipelined = pipelined;
    }

    /**
     * Enters these lanes (after their messages were confirmed): a lane not waiting yet enters with the lowest pass
     * of its model's waiting lanes, and rings the workers when the transaction commits.
     */
    public void enter(Collection<LaneKey> lanes) {
        if (lanes.isEmpty()) {
            return;
        }
        jdbc.sql(ENTER).params(entering(inOrder(lanes)).params()).update();
    }

    /**
     * Enters these lanes and marks these jobs published, once the broker confirmed their messages: lanes first, then
     * jobs, the order in which a worker's take locks them too, so that a worker rung when this commits finds the jobs
     * marked rather than waiting on the marking's row locks. One round trip ({@link Pipelined}), committed as one
     * unless the caller's transaction holds it.
     */
    public void enterPublished(Collection<LaneKey> lanes, Collection<String> jobIds) {
        if (lanes.isEmpty() && jobIds.isEmpty()) {
            return;
        }
        Pipelined.run(
                pipelined,
                Pipelined.together(
                        entering(inOrder(lanes)),
                        new Pipelined.Statement(
                                JobRepository.MARK_PUBLISHED, Map.of("ids", jobIds.toArray(String[]::new)))));
    }

    /**
     * Enters these lanes and records how far the broker confirmed a batch's lines ({@code confirming}, from {@code
     * BatchRepository#confirmingLines}), once it confirmed their messages, in one round trip committed as one
     * unless the caller's transaction holds it ({@link Pipelined}). A batch's jobs are not marked one by one
     * (V36).
     */
    public void enterConfirming(Collection<LaneKey> lanes, Pipelined.Statement confirming) {
        Pipelined.run(pipelined, Pipelined.together(entering(inOrder(lanes)), confirming));
    }

    /** {@link #ENTER} of these lanes, in the order {@link #inOrder} gives them. */
    private static Pipelined.Statement entering(List<LaneKey> sorted) {
        return new Pipelined.Statement(
                ENTER,
                Map.of(
                        "models", sorted.stream().map(LaneKey::model).toArray(String[]::new),
                        "tenants", sorted.stream().map(LaneKey::tenantId).toArray(String[]::new)));
    }

    /**
     * The entry of a single job's lane ahead of its message, to be sent in the transaction that stores the job, so that
     * the workers are rung when it commits while the api publishes the message and waits for the broker's confirm:
     * the take that follows usually finds the message on the queue. A take that comes too soon finds the lane empty
     * and it leaves; the entry after the confirm ({@link #enterPublishedUnlessClaimed}) then enters it again, so
     * nothing is stranded.
     */
    public static Pipelined.Statement enteringAhead(LaneKey lane) {
        return entering(List.of(lane));
    }

    /** Enters a single job's lane ahead of its message, in its storing transaction ({@link #enteringAhead}). */
    public void enterAhead(LaneKey lane) {
        Pipelined.run(pipelined, enteringAhead(lane));
    }

    /**
     * Once the broker confirmed the message of a job whose lane was {@link #enteringAhead entered ahead}: unless a
     * worker has already claimed the job, enters the lane again if it left and marks the job published, in one round
     * trip committed as one ({@link Pipelined}). It waits for a take in progress on the model (the model's lanes lock)
     * and then sees what that take did: a take that claimed the job leaves nothing to do, one that left the lane
     * without the message has it entered again. A take that starts after it finds the message on the queue. So a lane
     * is never left owing a message, and is not entered again for one already taken.
     */
    public void enterPublishedUnlessClaimed(String jobId) {
        Pipelined.run(pipelined, ENTER_UNLESS_CLAIMED, Map.of("id", jobId));
    }

    /**
     * Locks {@code model}'s lanes for the rest of the caller's transaction and returns those waiting, lowest pass
     * first. Workers taking from the model wait for each other here, and a publisher entering one of the lanes
     * waits for the transaction to end.
     */
    public List<Lane> lock(String model) {
        return Pipelined.lastRows(pipelined, LOCK, Map.of("model", model), LaneRepository::lane);
    }

    /** A model's lanes, locked, and the rows of the reading sent after the lock. */
    public record Locked<T>(List<Lane> lanes, List<T> read) {}

    /**
     * As {@link #lock(String)}, with {@code reading} (a statement that returns rows, whose parameters may name {@code
     * model} only with this value) sent after the lock and the lanes' read in the same round trip: it starts once the
     * lock is held, so it reads what the lock's previous holder committed (a take's room, read this way, counts the
     * grants of the take before it).
     */
    public <T> Locked<T> lock(String model, Pipelined.Statement reading, RowMapper<T> rows) {
        return lock(model, Pipelined.Statement.NONE, reading, rows);
    }

    /**
     * As {@link #lock(String, Pipelined.Statement, RowMapper)}, with {@code alsoLocking} (statements that lock other
     * rows for the transaction, whose result sets are not read) sent once the model's lock is held, before the lanes'
     * read.
     */
    private <T> Locked<T> lock(
            String model, Pipelined.Statement alsoLocking, Pipelined.Statement reading, RowMapper<T> rows) {
        Pipelined.TwoRowSets<Lane, T> read = Pipelined.lastTwoRows(
                pipelined,
                Pipelined.together(
                        new Pipelined.Statement(LOCK_MODEL, Map.of("model", model)),
                        alsoLocking,
                        new Pipelined.Statement(READ_LOCKED, Map.of("model", model)),
                        reading),
                LaneRepository::lane,
                rows);
        return new Locked<>(read.first(), read.second());
    }

    /**
     * As {@link #lock(String)}, with the budgets of {@code model} under each of {@code credentials} locked (in key
     * order, created where they had no row yet) once the model's lock is held, and read after the lanes, in the same
     * round trip ({@link PacerBudgetRepository#locking}, {@link PacerBudgetRepository#reading}): a take's room,
     * counting the grants of the take before, and the rows its grants are decided on.
     */
    public Locked<PacerBudgetRepository.LockedBudget> lockWithBudgets(String model, List<String> credentials) {
        return lock(
                model,
                PacerBudgetRepository.locking(model, credentials),
                PacerBudgetRepository.reading(model, credentials),
                PacerBudgetRepository.LOCKED);
    }

    private static Lane lane(ResultSet rs, int row) throws SQLException {
        return new Lane(rs.getString("tenant_id"), rs.getDouble("pass"), rs.getInt("weight"));
    }

    /** Each lane once, in one order for every publisher, so two upserts never wait for each other in a cycle. */
    private static List<LaneKey> inOrder(Collection<LaneKey> lanes) {
        TreeSet<LaneKey> unique =
                new TreeSet<>(Comparator.comparing(LaneKey::model).thenComparing(LaneKey::tenantId));
        unique.addAll(lanes);
        return List.copyOf(unique);
    }

    /** Sets the passes of lanes taken from; call under {@link #lock}. */
    public void advance(String model, Map<String, Double> passes) {
        Pipelined.run(pipelined, advancing(model, passes));
    }

    /** Removes lanes found empty; call under {@link #lock}. */
    public void leave(String model, Collection<String> tenants) {
        Pipelined.run(pipelined, leaving(model, tenants));
    }

    /**
     * {@link #advance} and {@link #leave} as one statement, to be sent under {@link #lock} with the take's next one
     * ({@link Pipelined#together}); {@link Pipelined.Statement#NONE} when there is nothing to write.
     */
    public static Pipelined.Statement advancingAndLeaving(
            String model, Map<String, Double> passes, Collection<String> emptied) {
        return Pipelined.together(advancing(model, passes), leaving(model, emptied));
    }

    private static Pipelined.Statement advancing(String model, Map<String, Double> passes) {
        if (passes.isEmpty()) {
            return Pipelined.Statement.NONE;
        }
        List<String> tenants = List.copyOf(passes.keySet());
        return new Pipelined.Statement(
                ADVANCE,
                Map.of(
                        "model",
                        model,
                        "tenants",
                        tenants.toArray(String[]::new),
                        "passes",
                        tenants.stream().map(passes::get).toArray(Double[]::new)));
    }

    private static Pipelined.Statement leaving(String model, Collection<String> tenants) {
        if (tenants.isEmpty()) {
            return Pipelined.Statement.NONE;
        }
        return new Pipelined.Statement(LEAVE, Map.of("model", model, "leaving", tenants.toArray(String[]::new)));
    }

    /** The models with a lane waiting. */
    public Set<String> modelsWithLanes() {
        return Set.copyOf(jdbc.sql(WITH_LANES).query(String.class).list());
    }

    /** The tenants with a lane of {@code model} waiting; under {@link #lock}, no lane enters meanwhile. */
    public Set<String> tenantsWaiting(String model) {
        return Set.copyOf(
                jdbc.sql(TENANTS_OF).param("model", model).query(String.class).list());
    }

    /** Every waiting lane with its tenant's share of the model, for operators. */
    public List<WaitingLane> waiting() {
        return jdbc.sql(WAITING)
                .query((rs, n) -> new WaitingLane(
                        rs.getString("model"),
                        rs.getString("tenant_id"),
                        rs.getString("tenant_name"),
                        rs.getInt("weight"),
                        rs.getInt("weight") / rs.getDouble("model_weight"),
                        Timestamps.read(rs, "entered_at"),
                        rs.getLong("queued")))
                .list();
    }
}
