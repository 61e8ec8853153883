package dev.sluice.db.stream;

import java.util.List;
import javax.sql.DataSource;
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
     * A listener (not started) on a connection of its own and a thread named {@code name} that tells {@code listener}
     * what it hears; it listens again a second after its connection fails, and calls {@link Listener#listening()}
     * each time it listens.
     */
    public dev.sluice.db.Listener listener(String name, Listener listener) {
        dev.sluice.db.Listener.Ear ear = new dev.sluice.db.Listener.Ear() {
            @Override
            public List<String> channels() {
                return List.of(FINISHED_CHANNEL, StreamChunks.CHANNEL);
            }

            @Override
            public void listening() {
                listener.listening();
            }

            @Override
            public void heard(String channel, String payload) {
                if (channel.equals(FINISHED_CHANNEL)) {
                    listener.finished(payload);
                } else {
                    listener.chunk(payload);
                }
            }
        };
        return new dev.sluice.db.Listener(name, dev.sluice.db.Listener.sessionOn(dataSource), List.of(ear));
    }
}
