package dev.sluice.db;

import java.util.List;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * Makes {@link Listener}s on connections of their own beside the service's pool, so that code outside the db module
 * hears PostgreSQL's announcements without touching a {@link DataSource}.
 */
@Component
public class Listeners {

    private final DataSource dataSource;

    public Listeners(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A listener (not started) on a thread named {@code name}, for {@code ears}. */
    public Listener listener(String name, List<? extends Listener.Ear> ears) {
        return Listener.on(dataSource, name, ears);
    }
}
