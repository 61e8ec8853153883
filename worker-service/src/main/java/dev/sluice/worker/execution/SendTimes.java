package dev.sluice.worker.execution;

import dev.sluice.worker.pacing.GlobalPacer;
import dev.sluice.worker.pacing.Grant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ObjLongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the pacer when each granted request actually left ({@link GlobalPacer#sent}), one model's at a time. A late
 * send rewrites its model's pacer row, which every grant of the model locks; recorded from each job's own thread,
 * a burst of late sends (any send is late on a saturated machine) had one transaction per job queue on that row lock,
 * each holding a database connection meanwhile, until the claims and outcomes of the worker's other jobs could not
 * get one. Here the send times of one model are written one after another on one connection ({@link Coalescer}:
 * those that arrive while one is written wait, without a connection, for the next turn).
 */
final class SendTimes {

    private static final Logger log = LoggerFactory.getLogger(SendTimes.class);

    /** One request's send time. */
    private record Sent(Grant grant, long nanos) {}

    private final ObjLongConsumer<Grant> pacer;
    private final Map<String, Coalescer<Sent, Boolean>> byModel = new ConcurrentHashMap<>();

    /** Records with {@code pacer} ({@link GlobalPacer#sent} in production). */
    SendTimes(ObjLongConsumer<Grant> pacer) {
        this.pacer = pacer;
    }

    /** The request granted by {@code grant} left at {@code sentNanos}; returns once the pacer has it. */
    void record(Grant grant, long sentNanos) {
        byModel.computeIfAbsent(grant.model(), model -> new Coalescer<>("sluice-send-times", 256, this::write))
                .run(new Sent(grant, sentNanos));
    }

    private List<Boolean> write(List<Sent> group) {
        List<Boolean> written = new ArrayList<>(group.size());
        for (Sent sent : group) {
            try {
                pacer.accept(sent.grant(), sent.nanos());
                written.add(true);
            } catch (RuntimeException e) {
                // As before: the grant's recorded send time stands; the window it counts in ends a little early.
                log.debug(
                        "Could not record the send time of a request to {}: {}",
                        sent.grant().model(),
                        e.toString());
                written.add(false);
            }
        }
        return written;
    }
}
