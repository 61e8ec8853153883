package dev.sluice.api.dispatch;

import dev.sluice.common.Queues;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Queue;
import org.springframework.stereotype.Component;

/**
 * Declares each lane's durable priority queue before its first message. Declaration is idempotent on the broker, so
 * the memory of what was declared only saves round trips; it is dropped for a lane whose message came back
 * unroutable (a worker deletes a lane's queue once it has stayed empty), so that the next publish declares it again.
 */
@Component
class LaneQueues {

    private final AmqpAdmin admin;
    private final Set<String> declared = ConcurrentHashMap.newKeySet();

    LaneQueues(AmqpAdmin admin) {
        this.admin = admin;
    }

    /** The lane's queue name, declared if this process has not declared it yet. */
    String ensure(String lane) {
        if (!declared.contains(lane)) {
            admin.declareQueue(new Queue(lane, true, false, false, Queues.arguments()));
            declared.add(lane);
        }
        return lane;
    }

    /** Forgets that the lane's queue exists. */
    void forget(String lane) {
        declared.remove(lane);
    }
}
