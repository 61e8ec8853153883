package dev.sluice.worker.intake;

import dev.sluice.common.Queues;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.execution.JobExecutor;
import dev.sluice.worker.pacing.Pacers;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.stereotype.Component;

/**
 * Finds the models jobs were submitted for (the {@code models} table, which the api-service fills before
 * publishing a model's first job) and consumes each one's queue.
 *
 * <p>One {@link SimpleMessageListenerContainer} per model, rather than one container for all queues: each
 * model gets its own consumers, as many as its limit lets run at once ({@code min(N, max-concurrency)}), each
 * with prefetch 1, so a worker never holds more of a model's messages than it can work on and leaves the rest
 * to other workers. A simple (not direct) container gives every consumer a thread of its own, so a consumer
 * that blocks for seconds in its pacer or on the provider blocks only itself: a saturated or paused model never
 * delays another model's jobs (a direct container would run listeners on the connection's shared pool).
 *
 * <p>The threads are virtual, set here: Boot's {@code spring.threads.virtual.enabled} gives virtual threads only
 * to the containers its listener factories build for {@code @RabbitListener}, not to containers built by hand.
 */
@Component
public class ModelIntake {

    private static final Logger log = LoggerFactory.getLogger(ModelIntake.class);

    private final ModelRepository models;
    private final AmqpAdmin admin;
    private final ConnectionFactory connectionFactory;
    private final JobExecutor executor;
    private final Pacers pacers;
    private final int maxConcurrency;
    private final Map<String, SimpleMessageListenerContainer> containers = new LinkedHashMap<>();
    private boolean stopped;

    ModelIntake(ModelRepository models, AmqpAdmin admin, ConnectionFactory connectionFactory, JobExecutor executor,
            Pacers pacers, WorkerProperties properties) {
        this.models = models;
        this.admin = admin;
        this.connectionFactory = connectionFactory;
        this.executor = executor;
        this.pacers = pacers;
        this.maxConcurrency = properties.pacing().maxConcurrency();
    }

    /** Starts consuming the queue of every model not consumed yet; returns how many were added. */
    public synchronized int runOnce() {
        int added = 0;
        for (String model : models.all()) {
            if (stopped || containers.containsKey(model)) {
                continue;
            }
            try {
                containers.put(model, consume(model));
                added++;
            } catch (AmqpException e) {
                log.warn("Cannot consume the queue of model {} yet (retrying at the next discovery): {}", model,
                        e.getMessage());
            }
        }
        return added;
    }

    /** The models whose queue this worker consumes. */
    public synchronized Set<String> consumedModels() {
        return Set.copyOf(containers.keySet());
    }

    /** Stops every consumer; messages not yet acked go back to their queues. */
    public synchronized void stop() {
        stopped = true;
        containers.values().forEach(SimpleMessageListenerContainer::stop);
        containers.clear();
    }

    private SimpleMessageListenerContainer consume(String model) {
        String queue = Queues.forModel(model);
        // Declared exactly as the api-service declares it; declaring an existing queue with equal arguments
        // is a no-op, so either side may come first.
        admin.declareQueue(new Queue(queue, true, false, false, new HashMap<>(Queues.arguments())));
        int concurrency = Math.min(pacers.forModel(model).limit().requests(), maxConcurrency);

        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(queue);
        container.setConcurrentConsumers(concurrency);
        container.setPrefetchCount(1);
        container.setAcknowledgeMode(AcknowledgeMode.AUTO);
        container.setDefaultRequeueRejected(true);
        container.setTaskExecutor(new VirtualThreadTaskExecutor("sluice-" + model + "-"));
        container.setMessageListener(new JobMessageListener(model, executor));
        container.afterPropertiesSet();
        container.start();
        log.info("Consuming queue {} with {} consumer(s)", queue, concurrency);
        return container;
    }
}
