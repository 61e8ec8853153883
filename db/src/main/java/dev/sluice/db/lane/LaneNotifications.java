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
 * the entering transaction commits; the payload names the lane, {@link Entered}), so a worker wakes a model's dispatcher the moment
 * it has work instead of polling; and, on the same connection, changes to the models' pacing settings
 * ({@code sluice_models}, V27), so a worker re-reads them when they change rather than every second.
 */
@Repository
public class LaneNotifications {

    /** The channel of lanes that entered; the payload names the lane ({@link Entered#parse}). */
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
     * with each lane that enters, and {@code settingsChanged} after a change to the models' settings;
     * then gives the connection back to the pool, no longer listening.
     *
     * @throws DataAccessResourceFailureException when the connection fails; call again to listen again
     */
    public void listen(
            BooleanSupplier running,
            int pollMillis,
            Runnable listening,
            Consumer<Entered> entered,
            Runnable settingsChanged) {
        Listening.listen(dataSource, List.of(CHANNEL, SETTINGS_CHANNEL), running, pollMillis, listening, heard -> {
            if (SETTINGS_CHANNEL.equals(heard.getName())) {
                settingsChanged.run();
            } else {
                entered.accept(Entered.parse(heard.getParameter()));
            }
        });
    }

    /**
     * A lane that entered, as its notification names it (V36): {@code '<model>\n<tenant id>\n<stamp>'}, the stamp
     * being the lane's {@link Lane#stamp} at its entry. A notification of V25's form names the model alone; its
     * tenant is then null and its stamp 0.
     *
     * @param model    the lane's model
     * @param tenantId the lane's tenant, or null when the notification did not name it
     * @param stamp    the lane's stamp when it entered, or 0 when the notification did not carry it
     */
    public record Entered(String model, String tenantId, long stamp) {

        /** The lane a notification's payload names; tenant ids hold no line break, so it is read from the end. */
        public static Entered parse(String payload) {
            int last = payload.lastIndexOf('\n');
            int before = last > 0 ? payload.lastIndexOf('\n', last - 1) : -1;
            if (before < 0) {
                return new Entered(payload, null, 0);
            }
            try {
                long stamp = Long.parseLong(payload.substring(last + 1));
                return new Entered(payload.substring(0, before), payload.substring(before + 1, last), stamp);
            } catch (NumberFormatException e) {
                return new Entered(payload, null, 0);
            }
        }

        /** Whether the notification named the lane's tenant. */
        public boolean namesTenant() {
            return tenantId != null;
        }
    }
}
