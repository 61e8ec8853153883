package dev.sluice.worker.intake;

import dev.sluice.db.lane.Lane;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Weighted fair share between a model's waiting lanes, by stride scheduling: the next message comes from the lane
 * with the lowest pass (ties go to the lower tenant id, so every worker agrees), and taking one advances that lane's
 * pass by {@code 1 / weight}. Over any run of takes, lanes that stay waiting are served in proportion to their
 * weights, within one message each. Plain arithmetic on what the worker read under the model's lock; the new passes
 * are written back in the same transaction (docs/tenants.md).
 */
final class FairShare {

    private static final Comparator<Position> ORDER =
            Comparator.comparingDouble(Position::pass).thenComparing(Position::tenantId);

    private record Position(String tenantId, double pass, int weight) {}

    private final TreeSet<Position> waiting = new TreeSet<>(ORDER);
    private final Map<String, Double> advanced = new HashMap<>();

    FairShare(List<Lane> lanes) {
        for (Lane lane : lanes) {
            waiting.add(new Position(lane.tenantId(), lane.pass(), Math.max(1, lane.weight())));
        }
    }

    /** The tenant whose lane goes next; empty when no lane waits. */
    Optional<String> next() {
        return waiting.isEmpty()
                ? Optional.empty()
                : Optional.of(waiting.first().tenantId());
    }

    /** One message was taken from the lane that {@link #next} named: its pass advances by 1 / its weight. */
    void took() {
        Position first = waiting.pollFirst();
        Position moved = new Position(first.tenantId(), first.pass() + 1.0 / first.weight(), first.weight());
        waiting.add(moved);
        advanced.put(moved.tenantId(), moved.pass());
    }

    /**
     * The lane that {@link #next} named was empty, or the message just taken from it was its last: it waits no
     * longer (a lane that leaves keeps no pass).
     */
    void emptied() {
        Position first = waiting.pollFirst();
        advanced.remove(first.tenantId());
    }

    /** The new pass of each lane taken from and still waiting, to write back. */
    Map<String, Double> advanced() {
        return Map.copyOf(advanced);
    }
}
