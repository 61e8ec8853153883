package dev.sluice.api.facade;

import dev.sluice.api.ApiProperties;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.stream.JobNotifications;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The callers of this api instance that wait for their job, and how they learn it finished, wherever the
 * worker that ran it is. The database announces each finished facade job ({@code NOTIFY sluice_job_finished},
 * sent by a trigger when the finishing transaction commits, see {@code V11}); one connection per instance
 * listens ({@link JobNotifications}, through a {@link dev.sluice.db.Listener}) and completes the matching caller's
 * future, with the provider's answer when the notification carries it (a job that succeeded with an answer that fits,
 * {@code V33}); otherwise the caller reads the job's row after the signal. A notification missed while the listener
 * reconnects is made up for by {@link #runOnce()}, which checks every waiting job in one query each
 * {@code sluice.facade.recheck-interval}: no caller ever polls.
 *
 * <p>The same connection listens for the chunks a worker relays from a provider's stream
 * ({@code sluice_job_chunks}) and queues them for the streaming caller of that job.
 *
 * <p>Why not a reply queue per instance: the notification comes from the same commit as the result, needs no
 * change to the workers or the broker topology, and cannot arrive before the row is readable.
 */
@Component
class JobWaiters implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobWaiters.class);

    /**
     * One waiting caller: {@code finished} completes when the job ended, with the provider's answer if the
     * notification carried it (null if not: read the row); {@code events} receives the chunks a worker relays (see
     * {@code StreamChunks}) and then {@link #END}, so that a streaming caller blocks on one queue.
     */
    record Waiter(CompletableFuture<JobNotifications.Answer> finished, BlockingQueue<String> events) {}

    /** The last event of a waiter: its job ended. */
    static final String END = "";

    private final Map<String, Waiter> waiting = new ConcurrentHashMap<>();
    private final JobRepository jobs;
    private final Duration recheckInterval;
    private final dev.sluice.db.Listener listener;
    private volatile boolean running;
    private ScheduledExecutorService recheck;

    JobWaiters(JobNotifications notifications, JobRepository jobs, ApiProperties properties, MeterRegistry meters) {
        this.jobs = jobs;
        this.recheckInterval = properties.facade().recheckInterval();
        this.listener = notifications.listener("facade-listener", new JobNotifications.Listener() {
            @Override
            public void listening() {
                // Jobs that finished while no connection listened.
                runOnce();
            }

            @Override
            public void finished(String jobId, JobNotifications.Answer answer) {
                signal(jobId, answer);
            }

            @Override
            public void chunk(String payload) {
                JobWaiters.this.chunk(payload);
            }
        });
        Gauge.builder("sluice.facade.waiting", waiting, Map::size)
                .description("Facade callers of this instance waiting for their job")
                .register(meters);
    }

    /** Starts waiting for {@code jobId}; call before the job is published, and {@link #forget} when done. */
    Waiter register(String jobId) {
        Waiter waiter = new Waiter(new CompletableFuture<>(), new LinkedBlockingQueue<>());
        waiting.put(jobId, waiter);
        return waiter;
    }

    /** Stops waiting for {@code jobId}. */
    void forget(String jobId) {
        waiting.remove(jobId);
    }

    /** How many callers wait right now. */
    int size() {
        return waiting.size();
    }

    /** Completes the callers whose job finished without their notification arriving; returns how many. */
    int runOnce() {
        if (waiting.isEmpty()) {
            return 0;
        }
        List<String> finished = jobs.finishedAmong(List.copyOf(waiting.keySet()));
        finished.forEach(jobId -> signal(jobId, null));
        return finished.size();
    }

    private void signal(String jobId, JobNotifications.Answer answer) {
        Waiter waiter = waiting.get(jobId);
        if (waiter != null && waiter.finished().complete(answer)) {
            waiter.events().add(END);
        }
    }

    /** A relayed chunk, {@code "<job id> <chunk JSON>"}, for the caller that waits for that job, if here. */
    private void chunk(String payload) {
        int space = payload.indexOf(' ');
        Waiter waiter = space < 0 ? null : waiting.get(payload.substring(0, space));
        if (waiter != null && !waiter.finished().isDone()) {
            waiter.events().add(payload.substring(space + 1));
        }
    }

    private void recheck() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.warn("Re-checking waiting jobs failed; trying again at the next interval: {}", e.toString());
        }
    }

    @Override
    public void start() {
        running = true;
        listener.start();
        recheck = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("facade-recheck").factory());
        long millis = recheckInterval.toMillis();
        recheck.scheduleWithFixedDelay(this::recheck, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        running = false;
        recheck.shutdownNow();
        listener.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
