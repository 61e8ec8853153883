package dev.sluice.db;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listening connection for as long as a service runs ({@link Listening}), on a thread of its own, heard by
 * several {@link Ear}s, each on its own channels: when the connection fails it listens again after a second, and
 * every ear is told when it stops listening and when it listens again (what was announced meanwhile was not heard).
 */
public final class Listener {

    private static final Logger log = LoggerFactory.getLogger(Listener.class);

    /** How long one wait for a notification lasts: a stop is noticed within it. */
    private static final int POLL_MILLIS = 1_000;

    private static final Duration AFTER_FAILURE = Duration.ofSeconds(1);

    /** What one part of a service hears; called on the listening thread, so each call must be quick. */
    public interface Ear {

        /** The channels it hears. */
        List<String> channels();

        /** The connection listens (again): anything announced before was not heard. */
        void listening();

        /** A notification on one of its channels, with its payload ("" when none). */
        void heard(String channel, String payload);

        /** The connection stopped listening (it failed, or the listener stops): announcements are missed now. */
        default void deaf() {}

        /**
         * An ear on one channel that calls {@code listening} each time the connection listens and {@code heard} with
         * each notification's payload.
         */
        static Ear on(String channel, Runnable listening, Consumer<String> heard) {
            return new Ear() {
                @Override
                public List<String> channels() {
                    return List.of(channel);
                }

                @Override
                public void listening() {
                    listening.run();
                }

                @Override
                public void heard(String channel, String payload) {
                    heard.accept(payload);
                }
            };
        }
    }

    /** One listening session on one connection ({@link Listening#listen}); returns or throws when it ends. */
    @FunctionalInterface
    public interface Session {

        /**
         * Listens on {@code channels} while {@code running}, waiting at most {@code pollMillis} for each notification:
         * calls {@code listening} once it listens and {@code heard} with each notification's channel and payload.
         */
        void listen(
                List<String> channels,
                BooleanSupplier running,
                int pollMillis,
                Runnable listening,
                BiConsumer<String, String> heard);
    }

    private final Session session;
    private final String name;
    private final List<? extends Ear> ears;
    private final Map<String, Ear> byChannel = new LinkedHashMap<>();
    private volatile boolean running;
    private volatile boolean listening;
    private Thread thread;

    /** Listens on a connection of its own beside {@code dataSource}'s pool, on a thread named {@code name}. */
    public static Listener on(DataSource dataSource, String name, List<? extends Ear> ears) {
        return new Listener(name, sessionOn(dataSource), ears);
    }

    /** Listens through {@code session} (a test's stand-in, or a repository's). */
    public Listener(String name, Session session, List<? extends Ear> ears) {
        this.session = session;
        this.name = name;
        this.ears = List.copyOf(ears);
        for (Ear ear : ears) {
            for (String channel : ear.channels()) {
                if (byChannel.put(channel, ear) != null) {
                    throw new IllegalArgumentException("two ears hear channel " + channel);
                }
            }
        }
    }

    /** Starts listening on a thread of its own; does nothing when it already runs. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = Thread.ofVirtual().name(name).start(this::run);
    }

    /** Stops listening and closes the connection; waits for the thread a moment. */
    public synchronized void stop() {
        running = false;
        Thread listeningThread = thread;
        thread = null;
        if (listeningThread == null) {
            return;
        }
        listeningThread.interrupt();
        try {
            listeningThread.join(Duration.ofMillis(POLL_MILLIS * 2L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the connection listens now, so that nothing announced is missed. */
    public boolean listening() {
        return listening;
    }

    private void run() {
        while (running) {
            try {
                session.listen(
                        List.copyOf(byChannel.keySet()),
                        () -> running,
                        POLL_MILLIS,
                        this::listens,
                        (channel, payload) -> {
                            Ear ear = byChannel.get(channel);
                            if (ear != null) {
                                ear.heard(channel, payload);
                            }
                        });
            } catch (RuntimeException e) {
                if (running) {
                    log.warn(
                            "{}: listening on {} failed ({}); listening again in {}",
                            name,
                            byChannel.keySet(),
                            e.getMessage(),
                            AFTER_FAILURE);
                }
            } finally {
                deafened();
            }
            if (running && !pause()) {
                return;
            }
        }
    }

    /** A session on a connection of its own beside {@code dataSource}'s pool. */
    public static Session sessionOn(DataSource dataSource) {
        return (channels, running, pollMillis, listening, heard) -> Listening.listen(
                dataSource,
                channels,
                running,
                pollMillis,
                listening,
                notification -> heard.accept(notification.getName(), notification.getParameter()));
    }

    private void listens() {
        // The ears first: a key cache, for one, must have forgotten what it knew before it is trusted again.
        ears.forEach(Ear::listening);
        listening = true;
    }

    private void deafened() {
        boolean was = listening;
        listening = false;
        if (was) {
            ears.forEach(Ear::deaf);
        }
    }

    private static boolean pause() {
        try {
            Thread.sleep(AFTER_FAILURE);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
