package dev.sluice.api.dispatch;

import dev.sluice.common.Queues;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Queue;
import org.springframework.stereotype.Component;

/**
 * Declares each model's durable priority queue before its first message. Declaration is
 * idempotent on the broker, so the memory of what was declared only saves round trips; it is
 * dropped for a model whose message came back unroutable (someone deleted the queue), so that the
 * next publish declares it again.
 */
@Component
class ModelQueues {

    private final AmqpAdmin admin;
    private final Set<String> declared = ConcurrentHashMap.newKeySet();

    ModelQueues(AmqpAdmin admin) {
        this.admin = admin;
    }

    /** The model's queue name, declared if this process has not declared it yet. */
    String ensure(String model) {
        String name = Queues.forModel(model);
        if (!declared.contains(model)) {
            admin.declareQueue(new Queue(name, true, false, false, Queues.arguments()));
            declared.add(model);
        }
        return name;
    }

    /** Forgets that the model's queue exists. */
    void forget(String model) {
        declared.remove(model);
    }
}
