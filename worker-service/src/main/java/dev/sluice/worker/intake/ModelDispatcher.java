package dev.sluice.worker.intake;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.sluice.common.JobMessage;
import dev.sluice.common.JobMessageCodec;
import dev.sluice.common.Queues;
import dev.sluice.db.Pipelined;
import dev.sluice.db.lane.LaneKey;
import dev.sluice.db.lane.LaneRepository;
import dev.sluice.db.pacer.PacerBudgetRepository;
import dev.sluice.worker.execution.JobExecutor;
import dev.sluice.worker.pacing.GlobalPacer;
import dev.sluice.worker.pacing.Grant;
import dev.sluice.worker.pacing.ModelLimits;
import dev.sluice.worker.pacing.Sleeper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Drains one model's lanes on this worker (a lane is one tenant's queue for the model), one thread per model, so a
 * saturated or paused model never holds up another. It <em>pulls</em>: while the model has work it first waits
 * until the pacer has room for a request, or will have within the lookahead ({@link GlobalPacer#room}; skipped once
 * when rung from idle, since the take counts the room itself), then, holding
 * the model's lanes, takes as many messages as there is room for, lane by lane in weighted fair share
 * ({@link #take}, {@link FairShare}; a lane's first with a {@code basic.get} that counts the rest, the rest at once,
 * {@link #fetch}), and grants them in one decision with the tokens each one's estimate reserves —
 * in advance, for the instant the room opens, when it is not open yet, and claims the granted jobs in the same
 * transaction ({@link JobExecutor#claimNow}). Each job's thread then starts with its claim and leaves at that instant
 * ({@link GlobalPacer#awaitSlot}), so a burst leaves together when its slots open rather than behind the take and the
 * claims. So which tenant's job goes is decided one lookahead (200 ms) before a slot opens at the
 * earliest, and no other worker takes messages for the same room,
 * and within a lane the broker's priority order decides which of the tenant's jobs. A message waits in this worker
 * only while its tokens do not fit yet (at most the slots of one opening). When every lane is empty the dispatcher
 * sleeps until the intake {@link #ring rings} it (a lane of the model entered: PostgreSQL notifies every worker), so
 * an idle model costs no polling and no broker round trip, and a new job is picked up within milliseconds.
 *
 * <p>The takes of one worker's dispatchers fetch, grant and claim one at a time, in the order they asked, each once its
 * model's lanes are locked ({@link TakeTurns}, shared by the worker's intake): a take waiting for another worker to
 * finish taking the same model does not hold up this worker's takes of other models.
 *
 * <p>Each message runs on a virtual thread of its own and is acked on this dispatcher's channel once
 * {@link JobExecutor#execute} returns, that is after the job's outcome is committed. If the channel is lost,
 * the broker requeues whatever was unacked; a redelivered finished job is a no-op at its claim.
 */
final class ModelDispatcher implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ModelDispatcher.class);

    private static final Duration PAUSED_POLL = Duration.ofMillis(500);
    private static final Duration AFTER_FAILURE = Duration.ofSeconds(1);
    /**
     * From how many of one lane's messages a take fetches them with a consumer rather than one {@code basic.get} each.
     * A consumer costs three round trips and its setup in the broker: at a batch's start, with the api publishing to
     * the same queues, bursts of 3–14 came later through one than through gets (docs/benchmarks.md); on the instant
     * provider, whose takes ask for the model's slots freed on the worker since the last take (28–36 a take, of
     * SLUICE_PACING_MAX_CONCURRENCY's 64), the batch ran a quarter faster with a consumer, and as fast with this
     * threshold as with one of three.
     */
    static final int BULK_FETCH = 16;
    /** How long a take waits for the messages it knows to be on a lane (they are there: a bound, not a pace). */
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
    /**
     * How often an idle dispatcher whose last jobs still run looks whether they have finished, to close its channel;
     * once they have, it waits for the bell alone. The intake rings it within a second of work arriving, whether or
     * not a notification was missed.
     */
    private static final Duration IDLE_WAIT = Duration.ofSeconds(5);
    /**
     * How long an idle dispatcher with nothing left to ack keeps its broker channel before closing it: a take after a
     * wake-up within it skips opening a channel (a round trip to the broker, and the broker's work to set the channel
     * up and tear it down, on every call of a caller calling one at a time). One timed wait per idle spell, no
     * polling.
     */
    static final Duration CHANNEL_LINGER = Duration.ofSeconds(10);

    private final String model;
    private final ConnectionFactory connections;
    private final LaneRepository lanes;
    private final TransactionTemplate transaction;
    private final Semaphore bell = new Semaphore(0);
    /** The tenants whose lanes this dispatcher has taken from: the lane queues to delete when it is released. */
    private final Set<String> tenantsSeen = ConcurrentHashMap.newKeySet();
    /** The tenants whose messages jobs handed back to their lanes since the last take: their lanes enter again. */
    private final Set<String> handedBack = ConcurrentHashMap.newKeySet();

    private final GlobalPacer pacer;
    private final ModelLimits limits;
    private final JobExecutor executor;
    private final Sleeper sleeper;
    private final InFlight inFlight;
    private final TakeTurns takeTurns;
    private final int bulkFetch;
    private final AtomicLong started = new AtomicLong();
    private final ExecutorService jobs = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("sluice-job-", 0).factory());
    private volatile boolean running = true;
    private volatile Thread thread;
    private Channel channel;

    ModelDispatcher(
            String model,
            ConnectionFactory connections,
            LaneRepository lanes,
            TransactionTemplate transaction,
            GlobalPacer pacer,
            ModelLimits limits,
            JobExecutor executor,
            Sleeper sleeper,
            InFlight inFlight,
            TakeTurns takeTurns,
            int bulkFetch) {
        this.model = model;
        this.connections = connections;
        this.lanes = lanes;
        this.transaction = transaction;
        this.pacer = pacer;
        this.limits = limits;
        this.executor = executor;
        this.sleeper = sleeper;
        this.inFlight = inFlight;
        this.takeTurns = takeTurns;
        this.bulkFetch = bulkFetch;
    }

    @Override
    public void run() {
        // Started because the model has work: look at its lanes at once.
        boolean busy = true;
        // Rung (or started) from idle: the take counts the room itself, under the lanes' lock, so the reading of the
        // room before it is skipped once: a call to an idle model goes out one round trip sooner.
        boolean rung = true;
        // Messages taken but not yet granted: their tokens did not fit yet. Each holds one in-flight permit.
        List<Held> held = new ArrayList<>();
        while (running) {
            // The grants of the messages at the head of held, and their jobs' claims (empty where none was made), not
            // yet handed to a job's thread: on a failure they are given back.
            List<Grant> grants = new ArrayList<>();
            List<Optional<JobExecutor.Claimed>> claims = new ArrayList<>();
            int permits = 0;
            try {
                if (limits.paused(model)) {
                    // The pacer would hold the grant too; waiting here also takes no new message.
                    sleeper.sleep(PAUSED_POLL);
                    continue;
                }
                if (!handedBack.isEmpty()) {
                    reenterHandedBack();
                    busy = true;
                }
                if (held.isEmpty()) {
                    if (!busy) {
                        // Idle: once its last job has finished (and acked) it holds no broker channel either; it
                        // sleeps until rung, which costs nothing meanwhile (and holds no permit), then looks at the
                        // lanes.
                        if (inFlight.inUse() == 0) {
                            // Nothing left to ack. The channel stays open for CHANNEL_LINGER, for a caller's next
                            // call or a batch's next step; then it closes, and nothing wakes up until rung.
                            if (!bell.tryAcquire(CHANNEL_LINGER.toMillis(), TimeUnit.MILLISECONDS)) {
                                closeChannel();
                                bell.acquire();
                            }
                            bell.drainPermits();
                            busy = true;
                            rung = true;
                        } else if (bell.tryAcquire(IDLE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                            bell.drainPermits();
                            busy = true;
                            rung = true;
                        }
                        continue;
                    }
                    inFlight.acquire();
                    permits = 1;
                    // Wait for an open slot, then take as many messages as slots are open (and this worker can
                    // run), and grant them, all under the model's lanes lock: a burst of N leaves together, which
                    // tenant's jobs go is decided when they can go, and no other worker counts the same room.
                    permits += inFlight.drainPermits();
                    // After a wake-up the take asks for every permit and counts the room itself (none: it takes
                    // nothing, and the next pass waits here for the room); otherwise wait here until there is room.
                    int room = rung ? permits : pacer.room(model, permits);
                    rung = false;
                    inFlight.release(permits - room);
                    permits = room;
                    Taken taken = takeInTurn(room);
                    held.addAll(taken.held());
                    inFlight.release(permits - taken.held().size());
                    permits = 0;
                    grants.addAll(taken.grants());
                    claims.addAll(taken.claims());
                    startGranted(held, grants, claims);
                    if (held.isEmpty() && taken.dry()) {
                        // Every lane ran dry (and left): back to waiting for the bell.
                        busy = false;
                    }
                    continue;
                }
                // Messages whose tokens did not fit yet: wait for as many of them, in order, as the limits admit.
                grants.addAll(pacer.acquire(
                        model, held.stream().map(h -> h.job().tokens()).toList()));
                grants.forEach(grant -> claims.add(Optional.empty()));
                startGranted(held, grants, claims);
            } catch (InterruptedException e) {
                giveBack(grants, claims, permits);
                requeue(held);
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                giveBack(grants, claims, permits);
                requeue(held);
                log.warn("Dispatching model {} failed ({}); retrying in {}", model, e.getMessage(), AFTER_FAILURE);
                closeChannel();
                pauseAfterFailure();
            }
        }
        requeue(held);
    }

    /**
     * Hands each granted message at the head of {@code held} to a job's thread with its grant and claim, taking each
     * off the three lists only once its thread has it: if starting one fails, what is left is given back.
     */
    private void startGranted(List<Held> held, List<Grant> grants, List<Optional<JobExecutor.Claimed>> claims) {
        while (!grants.isEmpty()) {
            start(held.getFirst(), grants.getFirst(), claims.getFirst());
            held.removeFirst();
            grants.removeFirst();
            claims.removeFirst();
        }
    }

    /** A message taken from the queue, decoded, waiting for its grant on the channel it came from. */
    private record Held(JobMessage job, long tag, Channel channel) {}

    /** The message's job; a malformed message is dropped (acked) and logged. */
    private Optional<Held> decode(byte[] body, long tag, String tenantId, Channel onChannel) {
        Optional<JobMessage> job = JobMessageCodec.decode(body, model, tenantId);
        if (job.isEmpty()) {
            log.warn(
                    "Dropping a malformed message on the lane of model {} and tenant {} ({} bytes, no job_id)",
                    model,
                    tenantId,
                    body.length);
            ack(onChannel, tag);
            return Optional.empty();
        }
        return Optional.of(new Held(job.get(), tag, onChannel));
    }

    /** {@link #take}, once no more than {@link TakeTurns#LOCKING} takes of this worker are locking. */
    private Taken takeInTurn(int wanted) throws InterruptedException {
        takeTurns.startLocking();
        try {
            return take(wanted);
        } finally {
            takeTurns.endLocking();
        }
    }

    /**
     * Takes messages from the model's lanes in fair-share order and grants them, in one transaction that holds the
     * model's lanes ({@link LaneRepository#lock}): as many as the pacer has room for now (at most {@code wanted}),
     * the lane with the lowest pass giving each next one while its pass advances, and a lane found empty (or whose
     * last message was taken) leaving;
     * then the grants for as many of them, in order, as fit with their tokens, and the claims of the granted jobs.
     * Another worker waits for the lock, so it sees the room these grants used. A malformed message is dropped (its
     * place in the take goes unused).
     */
    private Taken take(int wanted) {
        Taken taken = transaction.execute(status -> {
            // The room is read in the lock's round trip, after the lock: it counts the grants of the take before.
            // The budgets are locked there too: the grants are decided on them, with no round trip of their own.
            LaneRepository.Locked<PacerBudgetRepository.LockedBudget> locked =
                    lanes.lockWithBudgets(model, pacer.credentials());
            GlobalPacer.HeldBudgets budgets = pacer.held(locked.read());
            FairShare share = new FairShare(locked.lanes());
            if (share.next().isEmpty()) {
                return new Taken(List.of(), List.of(), List.of(), true);
            }
            int room = pacer.roomNow(
                    model,
                    wanted,
                    locked.read().stream()
                            .map(PacerBudgetRepository.LockedBudget::row)
                            .toList());
            // Only a take with room fetches, grants and claims, and that in this worker's turn; its wait for the lock
            // above was not part of it (TakeTurns). One without room commits at once.
            boolean inTurn = room > 0;
            if (inTurn) {
                takeTurns.startTurn();
            }
            try {
                return takeLocked(room, share, budgets);
            } finally {
                if (inTurn) {
                    takeTurns.endTurn();
                }
            }
        });
        return taken == null ? new Taken(List.of(), List.of(), List.of(), false) : taken;
    }

    /**
     * The rest of {@link #take}, its model's lanes and budgets locked: up to {@code room} messages from the lanes in
     * {@code share}'s order, their grants decided on {@code budgets}, the granted jobs' claims, and the commit.
     */
    private Taken takeLocked(int room, FairShare share, GlobalPacer.HeldBudgets budgets) {
        // Each pick names the lane that gives the take's next message. A lane's first pick is a basic.get, whose
        // answer counts the messages left behind it; the lane's later picks are known to be there (no other
        // worker takes from the model's lanes while this one holds them) and are fetched afterwards, all of a
        // lane's at once (fetch), rather than one round trip each.
        List<Pick> picks = new ArrayList<>(room);
        Map<String, Integer> left = new HashMap<>();
        Map<String, Integer> later = new LinkedHashMap<>();
        List<String> emptied = new ArrayList<>();
        for (Optional<String> next = share.next(); next.isPresent() && picks.size() < room; next = share.next()) {
            String tenant = next.get();
            int remaining;
            Integer known = left.get(tenant);
            if (known == null) {
                Optional<GetResponse> message = get(tenant);
                if (message.isEmpty()) {
                    share.emptied();
                    emptied.add(tenant);
                    continue;
                }
                GetResponse got = message.get();
                remaining = got.getMessageCount();
                picks.add(new Pick(tenant, got.getBody(), got.getEnvelope().getDeliveryTag()));
                tenantsSeen.add(tenant);
            } else {
                remaining = known - 1;
                later.merge(tenant, 1, Integer::sum);
                picks.add(new Pick(tenant, null, 0));
            }
            left.put(tenant, remaining);
            if (remaining == 0) {
                // That was the lane's last message (the broker counts what is left behind it): the lane leaves
                // now, without a basic.get to find it empty. A message published meanwhile enters the lane
                // again once its publisher's upsert gets past this transaction's lock, as after an empty get.
                share.emptied();
                emptied.add(tenant);
            } else {
                share.took();
            }
        }
        Map<String, Deque<Delivered>> fetched = new HashMap<>();
        later.forEach((tenant, count) -> fetched.put(tenant, fetch(tenant, count)));
        List<Held> messages = new ArrayList<>(picks.size());
        for (Pick pick : picks) {
            Delivered message = pick.body() != null
                    ? new Delivered(pick.tag(), pick.body())
                    : fetched.get(pick.tenant()).poll();
            if (message != null) {
                decode(message.body(), message.tag(), pick.tenant(), channel).ifPresent(messages::add);
            }
        }
        GlobalPacer.Granted granted = pacer.grantNow(
                model,
                messages.stream().map(h -> h.job().tokens()).toList(),
                LaneRepository.advancingAndLeaving(model, share.advanced(), emptied),
                budgets);
        List<Grant> grants = granted.grants();
        // The granted jobs are claimed before this commits, with their grants: each one's thread then starts with
        // its claim and goes straight to its slot, rather than queueing for a claim of its own after the commit
        // (a burst granted for now used to leave tens of milliseconds late, and be charged for it, that way). The
        // lanes' new passes and leaves, the budget's write, the claims and the commit go in one round trip:
        // nothing follows them in this transaction.
        List<Optional<JobExecutor.Claimed>> claims = executor.claimNow(
                messages.subList(0, grants.size()).stream().map(Held::job).toList(),
                granted.write(),
                Pipelined.Statement.COMMIT);
        return new Taken(messages, grants, claims, share.next().isEmpty());
    }

    /**
     * What one {@link #take} got: the messages taken, in order, grants for the first of them, the claims of those
     * granted (empty where the job's executor is to claim it), and whether every lane of the model has run dry.
     */
    private record Taken(
            List<Held> held, List<Grant> grants, List<Optional<JobExecutor.Claimed>> claims, boolean dry) {}

    /** A lane's turn in a take: its message, or null (and tag 0) when it is to be fetched after the turns. */
    private record Pick(String tenant, byte[] body, long tag) {}

    /** A message as the broker delivered it on this dispatcher's channel. */
    private record Delivered(long tag, byte[] body) {}

    /**
     * The next {@code count} messages of the tenant's lane, which are known to be there, in queue order: one {@code
     * basic.get} each when fewer than {@code bulkFetch} ({@link #BULK_FETCH} in production), otherwise one consumer
     * whose prefetch is exactly {@code count}, cancelled once they have arrived (three round trips to the broker, and
     * the messages streamed, instead of one round trip each). Fewer come back only if the lane's queue lost messages
     * meanwhile (deleted by someone).
     */
    private Deque<Delivered> fetch(String tenantId, int count) {
        Deque<Delivered> out = new ArrayDeque<>(count);
        if (count < bulkFetch) {
            for (int i = 0; i < count; i++) {
                Optional<GetResponse> got = get(tenantId);
                if (got.isEmpty()) {
                    break;
                }
                out.add(new Delivered(
                        got.get().getEnvelope().getDeliveryTag(), got.get().getBody()));
            }
            return out;
        }
        String lane = Queues.forLane(model, tenantId);
        BlockingQueue<Delivered> arrived = new LinkedBlockingQueue<>();
        try {
            Channel onChannel = channel();
            // Per consumer: this one may hold at most count unacked messages, so the broker sends no more than
            // that whatever else waits on the lane, and nothing after the cancel below.
            onChannel.basicQos(count, false);
            String consumer = onChannel.basicConsume(lane, false, new DefaultConsumer(onChannel) {
                @Override
                public void handleDelivery(
                        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    arrived.add(new Delivered(envelope.getDeliveryTag(), body));
                }
            });
            long deadline = System.nanoTime() + FETCH_TIMEOUT.toNanos();
            while (out.size() < count) {
                Delivered next = arrived.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (next == null) {
                    log.warn(
                            "Only {} of the {} messages expected on {} arrived; taking those", out.size(), count, lane);
                    break;
                }
                out.add(next);
            }
            onChannel.basicCancel(consumer);
            for (Delivered extra = arrived.poll(); extra != null; extra = arrived.poll()) {
                // Not expected (the prefetch was full): back to the queue.
                nack(onChannel, extra.tag());
            }
            return out;
        } catch (IOException e) {
            if (notFound(e)) {
                // Deleted by someone: the lost-message sweep publishes its jobs again.
                log.warn("The queue {} is gone; its lane leaves and its jobs will be published again", lane);
                closeChannel();
                return new ArrayDeque<>();
            }
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // The messages already delivered stay unacked on the channel, which the failure path closes: the broker
            // requeues them.
            throw new IllegalStateException("interrupted while taking messages from " + lane, e);
        }
    }

    /** The next message of the tenant's lane; empty when the lane's queue is empty or gone. */
    private Optional<GetResponse> get(String tenantId) {
        String lane = Queues.forLane(model, tenantId);
        try {
            return Optional.ofNullable(channel().basicGet(lane, false));
        } catch (IOException e) {
            if (notFound(e)) {
                // Not there: released with its idle dispatcher (and its lane entered ahead of a message that will
                // declare it again), or deleted by someone. The lane leaves; a message published to it later enters it
                // again, and the api's lost-message sweep publishes again the jobs of messages that were lost.
                log.info("The queue {} does not exist; its lane leaves", lane);
                closeChannel();
                return Optional.empty();
            }
            throw new UncheckedIOException(e);
        }
    }

    private static boolean notFound(IOException e) {
        return e.getCause() instanceof ShutdownSignalException signal
                && signal.getReason() instanceof AMQP.Channel.Close close
                && close.getReplyCode() == AMQP.NOT_FOUND;
    }

    /** Enters again the lanes that messages were handed back to, in one statement, after the messages are back. */
    private void reenterHandedBack() {
        List<LaneKey> keys = new ArrayList<>();
        for (String tenant : List.copyOf(handedBack)) {
            handedBack.remove(tenant);
            keys.add(new LaneKey(model, tenant));
        }
        try {
            lanes.enter(keys);
        } catch (RuntimeException e) {
            keys.forEach(key -> handedBack.add(key.tenantId()));
            throw e;
        }
    }

    /** Wakes the dispatcher if it sleeps for want of work: a lane of its model entered. */
    void ring() {
        bell.release();
    }

    /** The tenants whose lanes this dispatcher took from. */
    Set<String> tenantsSeen() {
        return Set.copyOf(tenantsSeen);
    }

    /** Hands held messages back to the broker, for this or another worker, and frees their permits. */
    private void requeue(List<Held> held) {
        for (Held message : held) {
            nack(message.channel(), message.tag());
            inFlight.release(1);
        }
        held.clear();
    }

    private void giveBack(List<Grant> grants, List<Optional<JobExecutor.Claimed>> claims, int permits) {
        // Their messages go back to the queue: the jobs claimed for them go back to queued first, so the redelivery
        // runs them at once rather than after their leases run out.
        executor.handBack(claims);
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

    private void start(Held message, Grant grant, Optional<JobExecutor.Claimed> claimed) {
        started.incrementAndGet();
        jobs.submit(() -> {
            inFlight.enter();
            try {
                if (executor.execute(message.job(), grant, claimed)) {
                    ack(message.channel(), message.tag());
                } else {
                    nack(message.channel(), message.tag());
                    // Its lane may have left while the message was out: the dispatcher enters it again (once for all
                    // the messages handed back meanwhile) before it next takes.
                    handedBack.add(message.job().tenantId());
                    ring();
                }
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
