package dev.sluice.api.facade;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.job.JobService;
import dev.sluice.api.quota.QuotaLeases;
import dev.sluice.api.web.ApiException;
import dev.sluice.common.JobMessage;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.stream.JobNotifications;
import dev.sluice.db.tenant.Tenant;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Runs one facade call: stores it as a single job of priority 10, which goes before its own tenant's batch work in
 * its lane (other tenants' lanes get their fair share, docs/tenants.md), and blocks the caller's (virtual) thread until {@link JobWaiters} signals that the job finished or
 * the caller's wait is over. A caller that gives up gets a 504 naming the job; the job is not lost: it
 * finishes and stays readable at {@code GET /v1/jobs/{id}}, unless the caller asked for it to be cancelled
 * if it had not started yet.
 */
@Service
class FacadeService {

    private static final Logger log = LoggerFactory.getLogger(FacadeService.class);

    /** Above any priority a client can choose: a call goes before its own tenant's batch work, and only that. */
    static final int PRIORITY = JobMessage.SYNCHRONOUS;

    private static final Executor VIRTUAL_THREADS = task -> Thread.ofVirtual().start(task);

    private final JobService jobService;
    private final JobRepository jobs;
    private final JobWaiters waiters;
    private final Duration maxWait;
    private final Duration keepAlive;

    FacadeService(JobService jobService, JobRepository jobs, JobWaiters waiters, ApiProperties properties) {
        this.jobService = jobService;
        this.jobs = jobs;
        this.waiters = waiters;
        this.maxWait = properties.facade().maxWait();
        this.keepAlive = properties.facade().keepAlive();
    }

    /** The longest this instance lets a caller wait. */
    Duration maxWait() {
        return maxWait;
    }

    /**
     * The finished job of {@code call}, submitted as {@code jobId}; a 504 {@code wait_timeout} naming the job when {@code wait} runs out
     * first, after cancelling the job if {@code cancelIfQueued} and it had not started. Chunks a worker relays
     * meanwhile go to {@code relay} (null for a call that does not stream), which the job's end then closes. The
     * caller waits holding {@code waiting}, whose place is taken with the job unless it holds one already, and given
     * back once the job finished: by the job's end when taken with it (V33), by this replica otherwise.
     */
    FinishedCall run(
            Tenant tenant,
            String jobId,
            FacadeCall call,
            Duration wait,
            boolean cancelIfQueued,
            SseRelay relay,
            QuotaLeases.Lease waiting) {
        JobWaiters.Waiter waiter = waiters.register(jobId);
        JobNotifications.Answer answer;
        try {
            jobService.submit(tenant, jobId, call.endpoint(), call.model(), call.body(), PRIORITY, waiting);
            if (relay == null) {
                answer = waiter.finished().get(wait.toNanos(), TimeUnit.NANOSECONDS);
            } else if (relayUntilFinished(jobId, waiter, wait, relay)) {
                answer = waiter.finished().getNow(null);
            } else {
                log.debug("The streaming caller of job {} went away", jobId);
                throw gaveUp(tenant, jobId, wait, cancelIfQueued);
            }
        } catch (TimeoutException e) {
            throw gaveUp(tenant, jobId, wait, cancelIfQueued);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw gaveUp(tenant, jobId, wait, cancelIfQueued);
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for job " + jobId + " failed", e.getCause());
        } finally {
            waiters.forget(jobId);
        }
        // The job's end deleted the place taken with it; a place taken before (a call that followed an identical
        // call's job) is given back here, while the answer is read if the notification did not carry it.
        waiting.jobFinished(jobId);
        CompletableFuture<Void> released = waiting.held()
                ? CompletableFuture.runAsync(waiting::close, VIRTUAL_THREADS)
                : CompletableFuture.completedFuture(null);
        FinishedCall job;
        try {
            job = answer != null
                    ? FinishedCall.answered(jobId, answer.status(), answer.body())
                    : FinishedCall.of(
                            jobs.find(tenant.id(), jobId).orElseThrow(() -> ApiException.notFound("job", jobId)));
        } finally {
            released.join();
        }
        if (relay != null && relay.started()) {
            relay.finish(job);
        }
        return job;
    }

    /**
     * Writes relayed chunks as they come, and a keep-alive comment after each {@code keepAlive} without one,
     * until the job ends (true) or the caller is found gone at a write (false).
     */
    private boolean relayUntilFinished(String jobId, JobWaiters.Waiter waiter, Duration wait, SseRelay relay)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException();
            }
            String event = waiter.events().poll(Math.min(left, keepAlive.toNanos()), TimeUnit.NANOSECONDS);
            if (event == null) {
                if (System.nanoTime() - deadline < 0) {
                    relay.keepAlive(jobId);
                }
            } else if (event.equals(JobWaiters.END)) {
                return true;
            } else {
                relay.chunk(jobId, event);
            }
            if (relay.gone()) {
                return false;
            }
        }
    }

    private ApiException gaveUp(Tenant tenant, String jobId, Duration wait, boolean cancelIfQueued) {
        String fate = "it will still run; read its result at GET /v1/jobs/" + jobId;
        if (cancelIfQueued) {
            try {
                jobService.cancel(tenant, jobId);
                fate = "it had not started and was cancelled";
            } catch (ApiException tooLate) {
                fate = "it had already started, so it finishes; read its result at GET /v1/jobs/" + jobId;
            }
        }
        log.debug("A caller stopped waiting for job {} after {}", jobId, wait);
        return waitTimeout(jobId, wait, fate);
    }

    /** The 504 {@code wait_timeout} of a caller that stopped waiting for {@code jobId} after {@code wait}. */
    static ApiException waitTimeout(String jobId, Duration wait, String fate) {
        return new ApiException(
                HttpStatus.GATEWAY_TIMEOUT,
                "server_error",
                null,
                "wait_timeout",
                "job " + jobId + " did not finish within " + wait.toMillis() + " ms; " + fate + ".");
    }
}
