package dev.sluice.db.lane;

import dev.sluice.db.Listening;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Repository;

/**
 * Hears, on one connection of its own, the lanes that enter ({@code sluice_lanes}, sent by the trigger of V25 when
 * the entering transaction commits; the payload is the model), so a worker wakes a model's dispatcher the moment
 * it has work instead of polling; and, on the same connection, changes to the models' pacing settings
 * ({@code sluice_models}, V27), so a worker re-reads them when they change rather than every second.
 */
@Repository
public class LaneNotifications {

    /** The channel of lanes that entered; the payload is the model. */
    public static final String CHANNEL = "sluice_lanes";

    /** The channel of changes to {@code models} and {@code model_limits}; no payload. */
    public static final String SETTINGS_CHANNEL = "sluice_models";

    private final DataSource dataSource;

    public LaneNotifications(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Listens until {@code running} turns false, waiting at most {@code pollMillis} for each notification: calls
     * {@code listening} once the connection listens (what entered or changed before was not heard), {@code entered}
     * with the model of each lane that enters, and {@code settingsChanged} after a change to the models' settings;
     * then gives the connection back to the pool, no longer listening.
     *
     * @throws DataAccessResourceFailureException when the connection fails; call again to listen again
     */
    public void listen(
            BooleanSupplier running,
            int pollMillis,
            Runnable listening,
            Consumer<String> entered,
            Runnable settingsChanged) {
        Listening.listen(dataSource, List.of(CHANNEL, SETTINGS_CHANNEL), running, pollMillis, listening, heard -> {
            if (SETTINGS_CHANNEL.equals(heard.getName())) {
                settingsChanged.run();
            } else {
                entered.accept(heard.getParameter());
            }
        });
    }
}
