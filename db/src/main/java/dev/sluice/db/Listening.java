package dev.sluice.db;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;

/**
 * {@code LISTEN} on one connection of its own for as long as the caller wants: what PostgreSQL announces with
 * {@code NOTIFY} (delivered when the notifying transaction commits) is handed over one notification at a time. The
 * connection is opened beside the pool (with the pool's URL and credentials), not taken from it: a listener holds
 * its connection for good, and a small pool must not lose its connections to listeners.
 */
public final class Listening {

    private static final Logger log = LoggerFactory.getLogger(Listening.class);

    private Listening() {}

    /**
     * Listens on {@code channels} until {@code running} turns false, waiting at most {@code pollMillis} for each
     * notification: calls {@code listening} once the connection listens (what was announced before was not heard)
     * and {@code heard} with each notification; then gives the connection back to the pool, no longer listening.
     *
     * @throws DataAccessResourceFailureException when the connection fails; call again to listen again
     */
    public static void listen(
            DataSource dataSource,
            List<String> channels,
            BooleanSupplier running,
            int pollMillis,
            Runnable listening,
            Consumer<PGNotification> heard) {
        try (Connection connection = open(dataSource);
                Statement statement = connection.createStatement()) {
            for (String channel : channels) {
                statement.execute("LISTEN " + channel);
            }
            try {
                listening.run();
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running.getAsBoolean()) {
                    PGNotification[] notifications = pg.getNotifications(pollMillis);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            heard.accept(notification);
                        }
                    }
                }
            } finally {
                // The connection goes back to the pool: it must not keep receiving every notification.
                try {
                    statement.execute("UNLISTEN *");
                } catch (SQLException e) {
                    // A broken connection is evicted by the pool anyway.
                    log.debug("UNLISTEN failed: {}", e.toString());
                }
            }
        } catch (SQLException e) {
            throw new DataAccessResourceFailureException("listening on " + channels + " failed: " + e, e);
        }
    }

    /**
     * A connection of its own: beside a Hikari pool, with its settings and {@link ListeningSockets} (a notification
     * handed over as it arrives); otherwise one from the data source.
     */
    private static Connection open(DataSource dataSource) throws SQLException {
        if (dataSource.isWrapperFor(HikariDataSource.class)) {
            HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
            if (pool.getJdbcUrl() != null) {
                Properties properties = new Properties();
                if (pool.getUsername() != null) {
                    properties.setProperty("user", pool.getUsername());
                }
                if (pool.getPassword() != null) {
                    properties.setProperty("password", pool.getPassword());
                }
                properties.setProperty("socketFactory", ListeningSockets.class.getName());
                return DriverManager.getConnection(pool.getJdbcUrl(), properties);
            }
        }
        return dataSource.getConnection();
    }
}
