package dev.sluice.worker.intake;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.sluice.common.JobMessage;
import dev.sluice.common.JobMessageCodec;
import dev.sluice.common.Queues;
import dev.sluice.worker.execution.JobExecutor;
import dev.sluice.worker.pacing.GlobalPacer;
import dev.sluice.worker.pacing.Grant;
import dev.sluice.worker.pacing.ModelLimits;
import dev.sluice.worker.pacing.Sleeper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;

/**
 * Drains one model's queue on this worker, one thread per model, so a saturated or paused model never
 * holds up another. It <em>pulls</em>: while the queue has work it first waits for a pacer grant and only
 * then takes the next message ({@code basic.get}), so the message it runs is the highest-priority one
 * waiting at the moment a request may leave, and no message sits in this worker waiting for a slot.
 * Only after an empty poll does it hold one message while it waits for the first grant.
 *
 * <p>Each message runs on a virtual thread of its own and is acked on this dispatcher's channel once
 * {@link JobExecutor#execute} returns, that is after the job's outcome is committed. If the channel is lost,
 * the broker requeues whatever was unacked; a redelivered finished job is a no-op at its claim.
 */
final class ModelDispatcher implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ModelDispatcher.class);

    private static final Duration MIN_IDLE = Duration.ofMillis(50);
    private static final Duration MAX_IDLE = Duration.ofMillis(250);
    private static final Duration PAUSED_POLL = Duration.ofMillis(500);
    private static final Duration AFTER_FAILURE = Duration.ofSeconds(1);

    private final String model;
    private final String queue;
    private final ConnectionFactory connections;
    private final GlobalPacer pacer;
    private final ModelLimits limits;
    private final JobExecutor executor;
    private final Sleeper sleeper;
    private final InFlight inFlight;
    private final ExecutorService jobs = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("sluice-job-", 0).factory());
    private volatile boolean running = true;
    private volatile Thread thread;
    private Channel channel;

    ModelDispatcher(
            String model,
            ConnectionFactory connections,
            GlobalPacer pacer,
            ModelLimits limits,
            JobExecutor executor,
            Sleeper sleeper,
            InFlight inFlight) {
        this.model = model;
        this.queue = Queues.forModel(model);
        this.connections = connections;
        this.pacer = pacer;
        this.limits = limits;
        this.executor = executor;
        this.sleeper = sleeper;
        this.inFlight = inFlight;
    }

    @Override
    public void run() {
        Duration idle = MIN_IDLE;
        boolean busy = false;
        while (running) {
            List<Grant> grants = new ArrayList<>();
            int permits = 0;
            try {
                if (limits.paused(model)) {
                    // The pacer would hold the grant too; waiting here also keeps no message or permit held.
                    sleeper.sleep(PAUSED_POLL);
                    continue;
                }
                inFlight.acquire();
                permits = 1;
                if (busy) {
                    // As many grants as this worker can run now, decided in one transaction: a burst of N
                    // leaves together instead of one database round trip after another.
                    permits += inFlight.drainPermits();
                    grants.addAll(pacer.acquire(model, permits));
                    inFlight.release(permits - grants.size());
                    permits = grants.size();
                    int started = 0;
                    while (!grants.isEmpty()) {
                        GetResponse message = channel().basicGet(queue, false);
                        if (message == null) {
                            break;
                        }
                        start(message, grants.removeFirst(), channel);
                        permits--;
                        started++;
                    }
                    busy = grants.isEmpty();
                    if (started > 0) {
                        idle = MIN_IDLE;
                    }
                } else {
                    GetResponse message = channel().basicGet(queue, false);
                    if (message != null) {
                        grants.add(pacer.acquire(model));
                        start(message, grants.removeFirst(), channel);
                        permits = 0;
                        busy = true;
                        idle = MIN_IDLE;
                    }
                }
                if (!grants.isEmpty() || permits > 0) {
                    // The queue ran dry: unused grants go back, nothing was sent under them.
                    giveBack(grants, permits);
                    grants.clear();
                    permits = 0;
                    busy = false;
                    sleeper.sleep(idle);
                    idle = idle.multipliedBy(2).compareTo(MAX_IDLE) > 0 ? MAX_IDLE : idle.multipliedBy(2);
                }
            } catch (InterruptedException e) {
                giveBack(grants, permits);
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                giveBack(grants, permits);
                log.warn("Dispatching model {} failed ({}); retrying in {}", model, e.getMessage(), AFTER_FAILURE);
                closeChannel();
                pauseAfterFailure();
            }
        }
    }

    private void giveBack(List<Grant> grants, int permits) {
        for (Grant grant : grants) {
            try {
                pacer.cancel(grant);
            } catch (RuntimeException e) {
                // The database is gone: the grant stays recorded as a send and ages out within one window.
                log.debug("Could not give back a grant of model {}: {}", model, e.getMessage());
            }
        }
        inFlight.release(permits);
    }

    /** Starts dispatching on a virtual thread of its own. */
    void start() {
        thread = Thread.ofVirtual().name("sluice-dispatch-" + model).start(this);
    }

    /** Stops taking messages; a grant being waited for is given back; running jobs are interrupted and hand their jobs back. */
    void stop() {
        running = false;
        Thread dispatching = thread;
        if (dispatching != null) {
            dispatching.interrupt();
        }
        jobs.shutdownNow();
        closeChannel();
    }

    private void start(GetResponse message, Grant grant, Channel onChannel) {
        long tag = message.getEnvelope().getDeliveryTag();
        jobs.submit(() -> {
            inFlight.enter();
            try {
                Optional<JobMessage> job = JobMessageCodec.decode(message.getBody(), model);
                if (job.isEmpty()) {
                    pacer.cancel(grant);
                    log.warn(
                            "Dropping a malformed message on the queue of model {} ({} bytes, no job_id)",
                            model,
                            message.getBody().length);
                } else {
                    executor.execute(job.get(), grant);
                }
                ack(onChannel, tag);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // The database is probably down: the message goes back after a pause rather than spinning.
                log.warn("Job message on model {} failed ({}); it goes back to the queue", model, e.getMessage());
                pauseAfterFailure();
                nack(onChannel, tag);
            } finally {
                inFlight.release();
            }
        });
    }

    private synchronized Channel channel() {
        if (channel == null || !channel.isOpen()) {
            channel = connections.createConnection().createChannel(false);
        }
        return channel;
    }

    private synchronized void closeChannel() {
        if (channel != null) {
            try {
                // Close the broker's channel itself, not the cache's proxy: its unacked messages must go back.
                Channel target = channel instanceof ChannelProxy proxy ? proxy.getTargetChannel() : channel;
                target.close();
            } catch (IOException | RuntimeException | TimeoutException ignored) {
                // Already gone: the broker requeues its unacked messages either way.
            }
            channel = null;
        }
    }

    private static void ack(Channel channel, long tag) {
        try {
            channel.basicAck(tag, false);
        } catch (IOException | RuntimeException e) {
            // The channel closed meanwhile: the broker has requeued the message; its job is already done.
            log.debug("Ack on a closed channel ({}); the redelivery will be a no-op", e.getMessage());
        }
    }

    private static void nack(Channel channel, long tag) {
        try {
            channel.basicNack(tag, false, true);
        } catch (IOException | RuntimeException e) {
            log.debug("Nack on a closed channel ({}); the broker requeues it anyway", e.getMessage());
        }
    }

    private void pauseAfterFailure() {
        try {
            sleeper.sleep(AFTER_FAILURE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
