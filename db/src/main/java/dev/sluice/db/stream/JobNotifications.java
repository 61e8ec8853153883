package dev.sluice.db.stream;

import java.util.List;
import javax.sql.DataSource;
import org.springframework.stereotype.Repository;

/**
 * Hears, on one connection of its own, what the database announces about jobs: a facade job that finished
 * ({@code sluice_job_finished}, sent by the trigger of {@code V11} when the finishing transaction commits; since
 * {@code V33} with the provider's answer when the job succeeded and the answer fits in the notification) and a chunk a
 * worker relays from a provider's stream ({@link StreamChunks#CHANNEL}).
 */
@Repository
public class JobNotifications {

    /**
     * The channel of finished facade jobs; the payload is the job id, followed, for a job that succeeded with an
     * answer of less than 8,000 bytes in all, by a space, the provider's status, a space and its body.
     */
    public static final String FINISHED_CHANNEL = "sluice_job_finished";

    /** The provider's answer to a job that succeeded, as its end's notification carried it. */
    public record Answer(int status, String body) {}

    /** What the listening connection hears; called on the listening thread. */
    public interface Listener {

        /** The connection listens now: anything announced before it was not heard. */
        void listening();

        /** The facade job {@code jobId} finished; {@code answer} is what the provider answered, or null if not carried. */
        void finished(String jobId, Answer answer);

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
                    finished(payload, listener);
                } else {
                    listener.chunk(payload);
                }
            }
        };
        return new dev.sluice.db.Listener(name, dev.sluice.db.Listener.sessionOn(dataSource), List.of(ear));
    }

    /**
     * Tells {@code listener} of the end announced by {@code payload}, with the answer it carries if any; a payload
     * whose answer cannot be read is taken for the id alone, so the caller reads the row.
     */
    static void finished(String payload, Listener listener) {
        int space = payload.indexOf(' ');
        int next = space < 0 ? -1 : payload.indexOf(' ', space + 1);
        Answer answer = null;
        if (next > space + 1) {
            try {
                answer = new Answer(Integer.parseInt(payload, space + 1, next, 10), payload.substring(next + 1));
            } catch (NumberFormatException e) {
                // Not a status: the caller reads the row.
            }
        }
        listener.finished(space < 0 ? payload : payload.substring(0, space), answer);
    }
}
