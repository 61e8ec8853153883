package dev.sluice.db.batch;

import dev.sluice.db.Listener;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.springframework.stereotype.Repository;

/**
 * Hears, on one connection of its own, that a batch's status changed ({@code sluice_batches}, sent by the trigger of
 * V30 when the changing transaction commits, the payload the batch id), so that an api replica stops answering polls
 * and event streams from what it read before.
 */
@Repository
public class BatchNotifications {

    /** The channel of batch status changes; the payload is the batch id. */
    public static final String CHANNEL = "sluice_batches";

    private final DataSource dataSource;

    public BatchNotifications(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * A listener (not started) on a thread named {@code name} that calls {@code listening} each time its connection
     * listens (a change made before was not heard) and {@code changed} with the id of each batch whose status changed.
     */
    public Listener listener(String name, Runnable listening, Consumer<String> changed) {
        return Listener.on(dataSource, name, List.of(Listener.Ear.on(CHANNEL, listening, changed)));
    }
}
