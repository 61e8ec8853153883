package dev.sluice.worker.execution;

import dev.sluice.worker.pacing.GlobalPacer;
import dev.sluice.worker.pacing.Grant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the pacer when each granted request actually left ({@link GlobalPacer#sent}), one model's at a time. A late
 * send rewrites its model's pacer row, which every grant of the model locks; recorded from each job's own thread,
 * a burst of late sends (any send is late on a saturated machine) had one transaction per job queue on that row lock,
 * each holding a database connection meanwhile, until the claims and outcomes of the worker's other jobs could not
 * get one. Here the send times of one model that arrive together are written in one transaction ({@link Coalescer}:
 * those that arrive while one is written wait, without a connection, for the next, {@link GlobalPacer#sentAll}).
 */
final class SendTimes {

    private static final Logger log = LoggerFactory.getLogger(SendTimes.class);

    private final Consumer<List<GlobalPacer.Send>> pacer;
    private final Map<String, Coalescer<GlobalPacer.Send, Boolean>> byModel = new ConcurrentHashMap<>();

    /** Records with {@code pacer} ({@link GlobalPacer#sentAll} in production). */
    SendTimes(Consumer<List<GlobalPacer.Send>> pacer) {
        this.pacer = pacer;
    }

    /** The request granted by {@code grant} left at {@code sentNanos}; returns once the pacer has it. */
    void record(Grant grant, long sentNanos) {
        byModel.computeIfAbsent(grant.model(), model -> new Coalescer<>("sluice-send-times", 256, this::write))
                .run(new GlobalPacer.Send(grant, sentNanos));
    }

    private List<Boolean> write(List<GlobalPacer.Send> group) {
        try {
            pacer.accept(group);
            return Collections.nCopies(group.size(), true);
        } catch (RuntimeException e) {
            // As before: the grants' recorded send times stand; the windows they count in end a little early.
            log.debug(
                    "Could not record the send times of {} request(s) to {}: {}",
                    group.size(),
                    group.getFirst().grant().model(),
                    e.toString());
            return Collections.nCopies(group.size(), false);
        }
    }
}
