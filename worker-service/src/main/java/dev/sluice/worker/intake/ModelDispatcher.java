package dev.sluice.worker.intake;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
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
 * not fit yet (at most the slots of one opening). When the queue runs dry it waits for the broker to push the next
 * message (a consumer with a prefetch of one, {@link #awaitDelivery}): an idle model costs no polling, and a new
 * job is picked up the moment it is published; that one message is then held while it waits for its grant.
 *
 * <p>Each message runs on a virtual thread of its own and is acked on this dispatcher's channel once
 * {@link JobExecutor#execute} returns, that is after the job's outcome is committed. If the channel is lost,
 * the broker requeues whatever was unacked; a redelivered finished job is a no-op at its claim.
 */
final class ModelDispatcher implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ModelDispatcher.class);

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
    private final AtomicLong started = new AtomicLong();
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
                    if (!busy) {
                        // Idle: wait for the broker to push the next message, which costs nothing meanwhile (and
                        // holds no permit, so an idle dispatcher has nothing in flight).
                        Optional<Held> first = awaitDelivery();
                        if (first.isPresent()) {
                            inFlight.acquire();
                            held.add(first.get());
                            busy = true;
                        }
                        continue;
                    }
                    inFlight.acquire();
                    permits = 1;
                    // Wait for an open slot, then take as many messages as slots are open (and this worker can
                    // run): a burst of N leaves together, and which jobs go is decided when they can go.
                    permits += inFlight.drainPermits();
                    int room = pacer.room(model, permits);
                    inFlight.release(permits - room);
                    permits = room;
                    while (permits > 0) {
                        GetResponse message = channel().basicGet(queue, false);
                        if (message == null) {
                            break;
                        }
                        Optional<Held> taken =
                                decode(message.getBody(), message.getEnvelope().getDeliveryTag(), channel);
                        permits--;
                        if (taken.isPresent()) {
                            held.add(taken.get());
                        } else {
                            inFlight.release(1);
                        }
                    }
                    inFlight.release(permits);
                    permits = 0;
                    if (held.isEmpty()) {
                        // The queue ran dry: back to waiting for a push.
                        busy = false;
                        continue;
                    }
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
    private Optional<Held> decode(byte[] body, long tag, Channel onChannel) {
        Optional<JobMessage> job = JobMessageCodec.decode(body, model);
        if (job.isEmpty()) {
            log.warn("Dropping a malformed message on the queue of model {} ({} bytes, no job_id)", model, body.length);
            ack(onChannel, tag);
            return Optional.empty();
        }
        return Optional.of(new Held(job.get(), tag, onChannel));
    }

    /**
     * Blocks until the queue has a message and returns it, taken: one {@code basic.get} for a message already
     * waiting, else a consumer with a prefetch of one, so the broker pushes the next message the moment it is
     * published — no polling, no round trip while the queue stays empty. The consumer is cancelled once it has
     * delivered (the prefetch of one keeps it from taking a second meanwhile). Empty when the message was malformed
     * (dropped), or when the consumer was cancelled from outside.
     */
    private Optional<Held> awaitDelivery() throws IOException, InterruptedException {
        Channel onChannel = channel();
        GetResponse waiting = onChannel.basicGet(queue, false);
        if (waiting != null) {
            return decode(waiting.getBody(), waiting.getEnvelope().getDeliveryTag(), onChannel);
        }
        BlockingQueue<Optional<Delivery>> bell = new LinkedBlockingQueue<>();
        onChannel.basicQos(1);
        String consumerTag = onChannel.basicConsume(
                queue,
                false,
                (tag, delivery) -> bell.add(Optional.of(delivery)),
                tag -> bell.add(Optional.empty()),
                (tag, signal) -> bell.add(Optional.empty()));
        Optional<Delivery> delivered;
        try {
            delivered = bell.take();
        } finally {
            try {
                onChannel.basicCancel(consumerTag);
            } catch (IOException | RuntimeException alreadyGone) {
                // Cancelled by the broker, or the channel closed: nothing left to cancel.
            }
        }
        if (delivered.isEmpty()) {
            throw new IOException("the consumer of " + queue + " was cancelled");
        }
        // A delivery may also have come between the first one and the cancel (never with a prefetch of one, but a
        // second one would stay unacked on this channel until it closes, so it is handed back at once).
        for (Optional<Delivery> extra : bell) {
            extra.ifPresent(d -> nack(onChannel, d.getEnvelope().getDeliveryTag()));
        }
        Delivery delivery = delivered.get();
        return decode(delivery.getBody(), delivery.getEnvelope().getDeliveryTag(), onChannel);
    }

    /** Hands held messages back to the broker, for this or another worker, and frees their permits. */
    private void requeue(List<Held> held) {
        for (Held message : held) {
            nack(message.channel(), message.tag());
            inFlight.release(1);
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

    /** How many messages this dispatcher has taken so far: the intake's sign of activity. */
    long started() {
        return started.get();
    }

    /** Jobs running (or messages held for their grants) now; 0 when the dispatcher is idle. */
    int inFlight() {
        return inFlight.inUse();
    }

    private void start(Held message, Grant grant) {
        started.incrementAndGet();
        jobs.submit(() -> {
            inFlight.enter();
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
