package dev.sluice.db.stream;

import dev.sluice.db.Listening;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Repository;

/**
 * Hears, on one connection of its own, what the database announces about jobs: a facade job that finished
 * ({@code sluice_job_finished}, sent by the trigger of {@code V11} when the finishing transaction commits, the
 * payload its id) and a chunk a worker relays from a provider's stream ({@link StreamChunks#CHANNEL}).
 */
@Repository
public class JobNotifications {

    /** The channel of finished facade jobs; the payload is the job id. */
    public static final String FINISHED_CHANNEL = "sluice_job_finished";

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
        Listening.listen(
                dataSource,
                List.of(FINISHED_CHANNEL, StreamChunks.CHANNEL),
                running,
                pollMillis,
                listener::listening,
                notification -> {
                    if (notification.getName().equals(FINISHED_CHANNEL)) {
                        listener.finished(notification.getParameter());
                    } else {
                        listener.chunk(notification.getParameter());
                    }
                });
    }
}
