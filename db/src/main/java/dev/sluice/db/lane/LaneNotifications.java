package dev.sluice.db.lane;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Repository;

/**
 * Hears, on one connection of its own, the lanes that enter ({@code sluice_lanes}, sent by the trigger of V25 when
 * the entering transaction commits; the payload is the model), so a worker wakes a model's dispatcher the moment
 * it has work instead of polling.
 */
@Repository
public class LaneNotifications {

    private static final Logger log = LoggerFactory.getLogger(LaneNotifications.class);

    /** The channel of lanes that entered; the payload is the model. */
    public static final String CHANNEL = "sluice_lanes";

    private final DataSource dataSource;

    public LaneNotifications(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Listens until {@code running} turns false, waiting at most {@code pollMillis} for each notification: calls
     * {@code listening} once the connection listens (what entered before was not heard) and {@code entered} with the
     * model of each lane that enters; then gives the connection back to the pool, no longer listening.
     *
     * @throws DataAccessResourceFailureException when the connection fails; call again to listen again
     */
    public void listen(BooleanSupplier running, int pollMillis, Runnable listening, Consumer<String> entered) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + CHANNEL);
            try {
                listening.run();
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running.getAsBoolean()) {
                    PGNotification[] notifications = pg.getNotifications(pollMillis);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            entered.accept(notification.getParameter());
                        }
                    }
                }
            } finally {
                try {
                    statement.execute("UNLISTEN *");
                } catch (SQLException e) {
                    // A broken connection is evicted by the pool anyway.
                    log.debug("UNLISTEN failed: {}", e.toString());
                }
            }
        } catch (SQLException e) {
            throw new DataAccessResourceFailureException("listening for lanes failed: " + e, e);
        }
    }
}
