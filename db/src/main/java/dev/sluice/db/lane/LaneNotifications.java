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
 * it has work instead of polling.
 */
@Repository
public class LaneNotifications {

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
        Listening.listen(
                dataSource,
                List.of(CHANNEL),
                running,
                pollMillis,
                listening,
                notification -> entered.accept(notification.getParameter()));
    }
}
