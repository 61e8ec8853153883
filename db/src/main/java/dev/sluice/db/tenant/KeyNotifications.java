package dev.sluice.db.tenant;

import dev.sluice.db.Listener;
import dev.sluice.db.Listening;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Repository;

/**
 * Hears, on one connection of its own, that API keys or tenants changed ({@code sluice_keys}, sent by the triggers of
 * V26 when the changing transaction commits), so that an api replica forgets the keys it remembers.
 */
@Repository
public class KeyNotifications {

    /** The channel of changes to {@code api_keys} and {@code tenants}; the payload is the table's name. */
    public static final String CHANNEL = "sluice_keys";

    private final DataSource dataSource;

    public KeyNotifications(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * A listener (not started) on a thread named {@code name} that calls {@code listening} each time its connection
     * listens (a change made before was not heard) and {@code changed} at each change heard.
     */
    public Listener listener(String name, Runnable listening, Runnable changed) {
        Listener.Ear ear = Listener.Ear.on(CHANNEL, listening, payload -> changed.run());
        return new Listener(
                name,
                (channels, running, pollMillis, listens, heard) ->
                        listen(running, pollMillis, listens, () -> heard.accept(CHANNEL, "")),
                List.of(ear));
    }

    /**
     * Listens until {@code running} turns false, waiting at most {@code pollMillis} for each notification: calls
     * {@code listening} once the connection listens (a change made before was not heard) and {@code changed} at each
     * change; then gives the connection back to the pool, no longer listening.
     *
     * @throws DataAccessResourceFailureException when the connection fails; call again to listen again
     */
    public void listen(BooleanSupplier running, int pollMillis, Runnable listening, Runnable changed) {
        Listening.listen(dataSource, List.of(CHANNEL), running, pollMillis, listening, notification -> changed.run());
    }
}
