package dev.sluice.db.stream;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Repository;

/**
 * Hears, on one connection of its own, what the database announces about jobs: a facade job that finished
 * ({@code sluice_job_finished}, sent by the trigger of {@code V11} when the finishing transaction commits, the
 * payload its id) and a chunk a worker relays from a provider's stream ({@link StreamChunks#CHANNEL}).
 */
@Repository
public class JobNotifications {

    private static final Logger log = LoggerFactory.getLogger(JobNotifications.class);

    /** The channel of finished facade jobs; the payload is the job id. */
    public static final String FINISHED_CHANNEL = "sluice_job_finished";

    private static final String LISTEN_FINISHED = "LISTEN " + FINISHED_CHANNEL;
    private static final String LISTEN_CHUNKS = "LISTEN " + StreamChunks.CHANNEL;
    private static final String UNLISTEN_ALL = "UNLISTEN *";

    /** What the listening connection hears; called on the listening thread. */
    public interface Listener {

        /** The connection listens now: anything announced before it was not heard. */
        void listening();

        /** The facade job {@code jobId} finished. */
        void finished(String jobId);

        /** A relayed chunk, {@code "<job id> <chunk JSON>"}. */
        void chunk(String payload);
    }

    private final DataSource dataSource;

    public JobNotifications(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Listens until {@code running} turns false, waiting at most {@code pollMillis} for each notification, and
     * then gives the connection back to the pool, no longer listening.
     *
     * @throws DataAccessResourceFailureException when the connection fails; call again to listen again
     */
    public void listen(BooleanSupplier running, int pollMillis, Listener listener) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(LISTEN_FINISHED);
            statement.execute(LISTEN_CHUNKS);
            try {
                listener.listening();
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running.getAsBoolean()) {
                    PGNotification[] notifications = pg.getNotifications(pollMillis);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            if (notification.getName().equals(FINISHED_CHANNEL)) {
                                listener.finished(notification.getParameter());
                            } else {
                                listener.chunk(notification.getParameter());
                            }
                        }
                    }
                }
            } finally {
                // The connection goes back to the pool: it must not keep receiving every notification.
                unlisten(statement);
            }
        } catch (SQLException e) {
            throw new DataAccessResourceFailureException("listening for job notifications failed: " + e, e);
        }
    }

    private static void unlisten(Statement statement) {
        try {
            statement.execute(UNLISTEN_ALL);
        } catch (SQLException e) {
            // A broken connection is evicted by the pool anyway.
            log.debug("UNLISTEN failed: {}", e.toString());
        }
    }
}
