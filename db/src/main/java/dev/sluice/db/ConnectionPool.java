package dev.sluice.db;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.util.OptionalInt;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * The database connection pool as configured, for a service that sizes its concurrency by it (the worker checks
 * at start that the pool serves the jobs it may run at once).
 */
@Component
public class ConnectionPool {

    private final DataSource dataSource;

    public ConnectionPool(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The most connections the pool opens, or empty when the data source is not a Hikari pool. */
    public OptionalInt maximumSize() {
        try {
            if (dataSource.isWrapperFor(HikariDataSource.class)) {
                return OptionalInt.of(dataSource.unwrap(HikariDataSource.class).getMaximumPoolSize());
            }
        } catch (SQLException e) {
            // Not unwrappable: nothing is known about the pool.
        }
        return OptionalInt.empty();
    }
}
