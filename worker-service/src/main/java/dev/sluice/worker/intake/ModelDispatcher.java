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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;

/**
 * Drains one model's queue on this worker, one thread per model, so a saturated or paused model never
 * holds up another. It <em>pulls</em>: while the queue has work it first waits until the pacer has room for a
 * request ({@link GlobalPacer#room}), then takes as many messages ({@code basic.get}) as there is room for, and
 * asks for their grants in one decision with the tokens each one's estimate reserves. So the messages it runs are
 * the highest-priority ones waiting when a slot opens, and a message waits in this worker only while its tokens do
 * not fit yet (at most the slots of one opening). Only after an empty poll does it hold one message while it waits
 * for the first grant.
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
    private final Semaphore inFlight;
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
            int maxInFlight) {
        this.model = model;
        this.queue = Queues.forModel(model);
        this.connections = connections;
        this.pacer = pacer;
        this.limits = limits;
        this.executor = executor;
        this.sleeper = sleeper;
        this.inFlight = new Semaphore(maxInFlight);
    }

    @Override
    public void run() {
        Duration idle = MIN_IDLE;
        boolean busy = false;
        // Messages taken but not yet granted: their tokens did not fit yet. Each holds one in-flight permit.
        List<Held> held = new ArrayList<>();
        while (running) {
            List<Grant> grants = List.of();
            int permits = 0;
            try {
                if (limits.paused(model)) {
                    // The pacer would hold the grant too; waiting here also takes no new message.
                    sleeper.sleep(PAUSED_POLL);
                    continue;
                }
                if (held.isEmpty()) {
                    inFlight.acquire();
                    permits = 1;
                    if (busy) {
                        // Wait for an open slot, then take as many messages as slots are open (and this worker can
                        // run): a burst of N leaves together, and which jobs go is decided when they can go.
                        permits += inFlight.drainPermits();
                        int room = pacer.room(model, permits);
                        inFlight.release(permits - room);
                        permits = room;
                    }
                    while (permits > 0) {
                        GetResponse message = channel().basicGet(queue, false);
                        if (message == null) {
                            break;
                        }
                        Optional<Held> taken = decode(message, channel);
                        permits--;
                        if (taken.isPresent()) {
                            held.add(taken.get());
                        } else {
                            inFlight.release();
                        }
                    }
                    inFlight.release(permits);
                    permits = 0;
                    if (held.isEmpty()) {
                        // The queue ran dry.
                        busy = false;
                        sleeper.sleep(idle);
                        idle = idle.multipliedBy(2).compareTo(MAX_IDLE) > 0 ? MAX_IDLE : idle.multipliedBy(2);
                        continue;
                    }
                    idle = MIN_IDLE;
                    busy = true;
                }
                // One transaction grants as many of the held jobs, in order, as the limits admit with their tokens.
                grants = pacer.acquire(
                        model, held.stream().map(h -> h.job().tokens()).toList());
                for (Grant grant : grants) {
                    start(held.removeFirst(), grant);
                }
                grants = List.of();
            } catch (InterruptedException e) {
                giveBack(grants, permits);
                requeue(held);
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                giveBack(grants, permits);
                requeue(held);
                log.warn("Dispatching model {} failed ({}); retrying in {}", model, e.getMessage(), AFTER_FAILURE);
                closeChannel();
                pauseAfterFailure();
            }
        }
        requeue(held);
    }

    /** A message taken from the queue, decoded, waiting for its grant on the channel it came from. */
    private record Held(JobMessage job, long tag, Channel channel) {}

    /** The message's job; a malformed message is dropped (acked) and logged. */
    private Optional<Held> decode(GetResponse message, Channel onChannel) {
        Optional<JobMessage> job = JobMessageCodec.decode(message.getBody(), model);
        long tag = message.getEnvelope().getDeliveryTag();
        if (job.isEmpty()) {
            log.warn(
                    "Dropping a malformed message on the queue of model {} ({} bytes, no job_id)",
                    model,
                    message.getBody().length);
            ack(onChannel, tag);
            return Optional.empty();
        }
        return Optional.of(new Held(job.get(), tag, onChannel));
    }

    /** Hands held messages back to the broker, for this or another worker, and frees their permits. */
    private void requeue(List<Held> held) {
        for (Held message : held) {
            nack(message.channel(), message.tag());
            inFlight.release();
        }
        held.clear();
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

    private void start(Held message, Grant grant) {
        jobs.submit(() -> {
            try {
                executor.execute(message.job(), grant);
                ack(message.channel(), message.tag());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // The database is probably down: the message goes back after a pause rather than spinning.
                log.warn("Job message on model {} failed ({}); it goes back to the queue", model, e.getMessage());
                pauseAfterFailure();
                nack(message.channel(), message.tag());
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
