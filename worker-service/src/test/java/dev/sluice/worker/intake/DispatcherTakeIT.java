package dev.sluice.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import dev.sluice.common.JobStatus;
import dev.sluice.common.Limit;
import dev.sluice.db.Pipelined;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.lane.LaneRepository;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.worker.Submissions.SubmittedBatch;
import dev.sluice.worker.WorkerIntegrationTest;
import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.execution.JobExecutor;
import dev.sluice.worker.pacing.GlobalPacer;
import dev.sluice.worker.pacing.ModelLimits;
import dev.sluice.worker.pacing.Sleeper;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * How a model's dispatcher takes. A dispatcher that takes a lane's last message sees it in the broker's count of what is left behind it and lets the
 * lane leave in the same take, with one {@code basic.get}, where it used to ask the lane again to find it empty (a
 * round trip to the broker on the way of every call to an idle model). The job still runs and the lane still leaves.
 * The dispatcher is this test's own, on the real broker and database, with a channel that counts its gets; the
 * worker's own intake is stopped meanwhile so that no other dispatcher takes the message. And a dispatcher rung from
 * idle takes without reading the room first (the take counts it under the lanes' lock): rung while its model's window
 * is full, it takes nothing, waits for the room and then sends, within the limit. And the jobs a take grants are
 * claimed in the take's own transaction, so they are running when it commits; and a burst on one lane comes with one
 * get, which counts the messages behind it, and one consumer whose prefetch is the rest. And a take waits while
 * another dispatcher of the worker takes (their shared turns), but not while it waits for another worker's take of
 * its model: the worker's other models are taken meanwhile.
 */
class DispatcherTakeIT extends WorkerIntegrationTest {

    @Autowired
    ModelIntake intake;

    @Autowired
    ModelRepository models;

    @Autowired
    ConnectionFactory connections;

    @Autowired
    LaneRepository lanes;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    GlobalPacer pacer;

    @Autowired
    ModelLimits limits;

    @Autowired
    JobExecutor executor;

    @Autowired
    Sleeper sleeper;

    @Autowired
    JobSlots slots;

    @Autowired
    WorkerProperties properties;

    @Autowired
    PlatformTransactionManager transactionManager;

    @Autowired
    JdbcClient jdbc;

    private final List<ModelDispatcher> dispatchers = new ArrayList<>();

    /** The takes' turns this test's dispatchers share, as a worker's dispatchers share their intake's. */
    private final TakeTurns takeTurns = new TakeTurns();

    @AfterEach
    void intakeAgain() {
        dispatchers.forEach(ModelDispatcher::stop);
        intake.start();
    }

    @Test
    void theLastMessageOfALaneIsTakenWithOneGetAndTheLaneLeaves() {
        String model = "mistralai/mistral-7b-instruct";
        intake.stop();
        SubmittedBatch batch = submissions.batch().chat(model, "the only one").submit();
        AtomicInteger gets = new AtomicInteger();
        startDispatcher(model, counting(connections, gets, new AtomicInteger()), transaction);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> job(batch, batch.jobIds().getFirst()).status() == JobStatus.SUCCEEDED);
        await("the lane leaves")
                .atMost(Duration.ofSeconds(5))
                .until(() -> !lanes.modelsWithLanes().contains(model));
        assertThat(gets).as("basic.get calls").hasValue(1);
    }

    @Test
    void aBurstOnOneLaneIsTakenWithOneGetAndOneConsumer() {
        String model = "openai/o3-mini";
        intake.stop();
        // Five jobs, the model's whole window (5 per 2 s), on its lane before the dispatcher starts.
        SubmittedBatch batch = submissions
                .batch()
                .chat(model, "one")
                .chat(model, "two")
                .chat(model, "three")
                .chat(model, "four")
                .chat(model, "five")
                .submit();
        AtomicInteger gets = new AtomicInteger();
        AtomicInteger consumers = new AtomicInteger();
        // With the threshold at three (production waits for more, ModelDispatcher.BULK_FETCH) so the model's window
        // fits.
        startDispatcher(model, counting(connections, gets, consumers), transaction, 3);

        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        batch.jobIds().stream().allMatch(id -> job(batch, id).status() == JobStatus.SUCCEEDED));
        // The first get counted the four behind it; those came to one consumer whose prefetch was exactly four.
        assertThat(gets).as("basic.get calls").hasValue(1);
        assertThat(consumers).as("basic.consume calls").hasValue(1);
        assertThat(SIMULATOR.stats().model(model).requests()).isEqualTo(5);
        assertThat(SIMULATOR.stats().model(model).maxInAnyWindow()).isLessThanOrEqualTo(5);
    }

    @Test
    void aDispatcherRungWhileItsWindowIsFullWaitsForTheRoom() {
        String model = "meta-llama/llama-3.1-8b-instruct";
        models.configure(model, List.of(Limit.parse("1/2s")), null, null, Instant.now());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> limits.limits(model).limits().equals(List.of(Limit.parse("1/2s"))));
        SubmittedBatch first =
                submissions.batch().chat(model, "fills the window").submit();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> job(first, first.jobIds().getFirst()).status() == JobStatus.SUCCEEDED);

        // Its lane entered while the window is full: the bell rings the dispatcher, whose take finds no room.
        SubmittedBatch second =
                submissions.batch().chat(model, "waits for the room").submit();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> job(second, second.jobIds().getFirst()).status() == JobStatus.SUCCEEDED);

        // Claimed at most one lookahead (200 ms) before its slot opened, a window after the first one's grant.
        assertThat(Duration.between(
                        job(first, first.jobIds().getFirst()).startedAt(),
                        job(second, second.jobIds().getFirst()).startedAt()))
                .isGreaterThan(Duration.ofMillis(1_500));
        assertThat(SIMULATOR.stats().model(model).maxInAnyWindow()).isLessThanOrEqualTo(1);
        assertThat(SIMULATOR.stats().model(model).rateLimited()).isZero();
    }

    @Test
    void aTakeWaitsForTheWorkersOtherTakeToEnd() throws InterruptedException {
        String model = "anthropic/claude-sonnet-4";
        intake.stop();
        SubmittedBatch batch =
                submissions.batch().chat(model, "after the other take").submit();
        // Another dispatcher of this worker is taking.
        takeTurns.startTurn();
        startDispatcher(model, connections, transaction);

        await().during(Duration.ofMillis(700))
                .atMost(Duration.ofSeconds(2))
                .until(() -> job(batch, batch.jobIds().getFirst()).status() == JobStatus.QUEUED);
        takeTurns.endTurn();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> job(batch, batch.jobIds().getFirst()).status() == JobStatus.SUCCEEDED);
        assertThat(takeTurns.turnTaken()).isFalse();
    }

    @Test
    void aTakeWaitingForAnotherWorkerToTakeItsModelDoesNotHoldUpTheWorkersOtherModels() throws Exception {
        String held = "openai/gpt-4-turbo";
        String free = "openai/o4-mini";
        intake.stop();
        SubmittedBatch waiting =
                submissions.batch().chat(held, "behind another worker").submit();
        SubmittedBatch other = submissions.batch().chat(free, "free to take").submit();
        // Another worker is taking from the first model: it holds the model's lanes lock until its take commits.
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        Thread otherWorker = Thread.ofVirtual()
                .start(() -> transaction.executeWithoutResult(status -> {
                    lanes.lock(held);
                    locked.countDown();
                    try {
                        commit.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
        try {
            assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
            startDispatcher(held, connections, transaction);
            await("the first model's take waits for the lock")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> waitingForLocks() == 1);

            // This worker's take of the second model goes meanwhile, and its job runs.
            startDispatcher(free, connections, transaction);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> job(other, other.jobIds().getFirst()).status() == JobStatus.SUCCEEDED);
            assertThat(job(waiting, waiting.jobIds().getFirst()).status()).isEqualTo(JobStatus.QUEUED);
        } finally {
            commit.countDown();
            otherWorker.join(Duration.ofSeconds(10));
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> job(waiting, waiting.jobIds().getFirst()).status() == JobStatus.SUCCEEDED);
        assertThat(takeTurns.turnTaken()).isFalse();
    }

    /** How many of this test's database sessions wait for an advisory lock right now. */
    private int waitingForLocks() {
        return jdbc.sql("""
                        SELECT count(*) FROM pg_locks
                         WHERE locktype = 'advisory' AND NOT granted
                           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                        """).query(Integer.class).single();
    }

    @Test
    void theTakeClaimsTheJobsItGrantsBeforeItCommits() {
        String model = "anthropic/claude-3-5-sonnet";
        intake.stop();
        SubmittedBatch batch =
                submissions.batch().chat(model, "one").chat(model, "two").submit();
        // How many of the jobs each of the dispatcher's transactions set running in the transaction that wrote the
        // model's budget (its grants), read as each returns, before its job threads start: rows one transaction wrote
        // carry its id. (The take commits in its claims' round trip, so it is read once the take's work is done.)
        AtomicInteger claimedInATake = new AtomicInteger();
        TransactionTemplate observing = new TransactionTemplate(transactionManager) {
            @Override
            public <T> T execute(TransactionCallback<T> action) {
                T result = super.execute(action);
                claimedInATake.addAndGet(jdbc.sql("""
                                SELECT count(*) FROM jobs j JOIN pacer_budgets b ON b.model = j.model AND b.xmin = j.xmin
                                 WHERE j.id = ANY(:ids) AND j.status = 'running'
                                """)
                        .param("ids", batch.jobIds().toArray(String[]::new))
                        .query(Long.class)
                        .single()
                        .intValue());
                return result;
            }
        };
        startDispatcher(model, connections, observing);

        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        batch.jobIds().stream().allMatch(id -> job(batch, id).status() == JobStatus.SUCCEEDED));
        // The takes that granted them claimed them too, committing both at once: no job thread claimed either.
        assertThat(claimedInATake).hasValue(2);
        assertThat(SIMULATOR.stats().model(model).requests()).isEqualTo(2);
    }

    @Test
    void aJobClaimedInATakeWhoseThreadNeverStartsIsHandedBackAtOnce() {
        String model = "anthropic/claude-3-haiku";
        // Stored without a message: nothing but this test claims it.
        SubmittedBatch batch = submissions.batch().chat(model, "handed back").store();
        List<Optional<JobExecutor.Claimed>> claims = transaction.execute(
                status -> executor.claimNow(batch.messages(), Pipelined.Statement.NONE, Pipelined.Statement.NONE));
        assertThat(claims).hasSize(1).allMatch(Optional::isPresent);
        assertThat(job(batch, batch.jobIds().getFirst()).status()).isEqualTo(JobStatus.RUNNING);

        executor.handBack(claims);

        // Queued again and due now, its attempt refunded: the message's redelivery runs it without waiting for the
        // lease.
        JobRow back = job(batch, batch.jobIds().getFirst());
        assertThat(back.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(back.attempts()).isZero();
        assertThat(transitions.dueIn(back.id())).contains(Duration.ZERO);
    }

    /** Starts this test's own dispatcher of {@code model}, on {@code broker} and in {@code transactions}. */
    private void startDispatcher(String model, ConnectionFactory broker, TransactionTemplate transactions) {
        startDispatcher(model, broker, transactions, ModelDispatcher.BULK_FETCH);
    }

    /** As above, fetching a lane's messages with a consumer from {@code bulkFetch} of them. */
    private void startDispatcher(
            String model, ConnectionFactory broker, TransactionTemplate transactions, int bulkFetch) {
        limits.refresh();
        ModelDispatcher dispatcher = new ModelDispatcher(
                model,
                broker,
                lanes,
                transactions,
                pacer,
                limits,
                executor,
                sleeper,
                slots.forModel(properties.pacing().maxConcurrency()),
                takeTurns,
                bulkFetch);
        dispatchers.add(dispatcher);
        dispatcher.start();
    }

    /**
     * {@code factory}, whose channels count their {@code basicGet}s in {@code gets} and their {@code basicConsume}s in
     * {@code consumers}.
     */
    private static ConnectionFactory counting(ConnectionFactory factory, AtomicInteger gets, AtomicInteger consumers) {
        return proxy(
                ConnectionFactory.class,
                factory,
                (method, result) -> method.equals("createConnection")
                        ? proxy(
                                Connection.class,
                                (Connection) result,
                                (inner, channel) -> inner.equals("createChannel")
                                        ? proxy(Channel.class, (Channel) channel, (call, answer) -> {
                                            if (call.equals("basicGet")) {
                                                gets.incrementAndGet();
                                            } else if (call.equals("basicConsume")) {
                                                consumers.incrementAndGet();
                                            }
                                            return answer;
                                        })
                                        : channel)
                        : result);
    }

    @FunctionalInterface
    private interface After {
        Object apply(String method, Object result);
    }

    /** Calls {@code target} through {@code type} and hands each result, by method name, to {@code after}. */
    private static <T> T proxy(Class<T> type, T target, After after) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            try {
                return after.apply(method.getName(), method.invoke(target, args));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }
}
