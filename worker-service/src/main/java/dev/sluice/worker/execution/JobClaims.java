package dev.sluice.worker.execution;

import dev.sluice.common.Ids;
import dev.sluice.db.Pipelined;
import dev.sluice.db.job.ClaimedJob;
import dev.sluice.db.job.JobTransitions;
import dev.sluice.db.job.JobTransitions.Finish;
import dev.sluice.db.job.Outcome;
import dev.sluice.worker.WorkerProperties;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * This worker's side of a job's state in PostgreSQL: claiming it under a lease, and then either finishing it
 * or putting it back. The lease owner is the claim itself (a random token per claim, not the process), and the
 * lease and any backoff are reckoned on the database's clock, so a worker whose clock is off neither cuts a lease
 * short nor runs a job early. Every step after the claim is conditional on still holding that claim; losing it
 * (the rescuer re-queued the job after its lease lapsed) is logged and otherwise normal.
 *
 * <p>Claims and finishes made at the same time on this worker share statements ({@link Coalescer}): under load one
 * transaction claims (or finishes) a group of jobs, each under its own claim token, instead of one per job. A job the
 * group statement did not take (someone else holds its row locked right now, or it is not this claim's to take) is
 * then tried on its own with the single-job statement, which waits for the lock and decides.
 */
@Component
class JobClaims {

    private static final Logger log = LoggerFactory.getLogger(JobClaims.class);

    /** The most jobs one statement claims or finishes. */
    static final int GROUP = 256;

    /**
     * A job this worker holds.
     *
     * @param job   what the claim returned
     * @param token the claim's token, the job's {@code lease_owner} while this claim holds it
     */
    record Claim(ClaimedJob job, String token) {}

    private final JobTransitions jobs;
    private final TransactionTemplate transaction;
    private final InstantSource clock;
    private final Duration leaseDuration;
    private final String worker = "worker-" + ProcessHandle.current().pid() + "-" + Ids.random(4);
    private final AtomicLong claimsMade = new AtomicLong();
    private final Coalescer<Wanted, Optional<ClaimedJob>> claiming;
    private final Coalescer<Finish, Boolean> finishing;

    JobClaims(JobTransitions jobs, TransactionTemplate transaction, InstantSource clock, WorkerProperties properties) {
        this.jobs = jobs;
        this.transaction = transaction;
        this.clock = clock;
        this.leaseDuration = properties.lease().duration();
        this.claiming = new Coalescer<>("sluice-claims", GROUP, this::claimGroup);
        this.finishing = new Coalescer<>("sluice-finishes", GROUP, this::finishGroup);
    }

    /** A claim asked for: the job and the token it would hold it under. */
    private record Wanted(String jobId, String token) {}

    /** Claims the job if it is queued and due; empty when it is finished, running, backing off or unknown. */
    Optional<Claim> claim(String jobId) {
        // Unique per claim, so a later claim of the same job by this very worker is not mistaken for this one;
        // the worker's name in it is for people reading the table. A counter is enough (the name is unique to this
        // process): the token guards against a stale claim, not against guessing, and a random one per claim cost
        // a SecureRandom draw per job.
        String token = worker + "/" + claimsMade.incrementAndGet();
        Optional<ClaimedJob> job = claiming.run(new Wanted(jobId, token));
        if (job == null) {
            job = jobs.claim(jobId, token, leaseDuration);
        }
        return job.map(j -> new Claim(j, token));
    }

    /**
     * Claims the jobs in the caller's transaction, in one statement, on the caller's thread: the dispatcher's take,
     * which has just granted them, so that the claims commit with the grants. The answer is aligned with {@code
     * jobIds}: the claim of each job taken here, and empty for one not taken — not queued and due, its row locked by
     * another transaction right now, or named earlier in the list (a second message of the same job) — whose executor
     * then claims it on its own, which waits for the lock and decides. {@code before} and {@code after}, statements of
     * the caller's transaction, go in the same round trip ({@link JobTransitions#claimMany(List, List, Duration,
     * Pipelined.Statement, Pipelined.Statement)}).
     */
    List<Optional<Claim>> claimNow(List<String> jobIds, Pipelined.Statement before, Pipelined.Statement after) {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String jobId : jobIds) {
            tokens.computeIfAbsent(jobId, id -> worker + "/" + claimsMade.incrementAndGet());
        }
        Map<String, ClaimedJob> claimed = new HashMap<>();
        for (ClaimedJob job : jobs.claimMany(
                List.copyOf(tokens.keySet()), List.copyOf(tokens.values()), leaseDuration, before, after)) {
            claimed.put(job.id(), job);
        }
        List<Optional<Claim>> answers = new ArrayList<>(jobIds.size());
        for (String jobId : jobIds) {
            ClaimedJob job = claimed.remove(jobId);
            answers.add(job == null ? Optional.empty() : Optional.of(new Claim(job, tokens.get(jobId))));
        }
        return answers;
    }

    /**
     * One statement for a group of claims: the claimed job of each; null (undecided) for one the group statement did
     * not take, which its caller then claims on its own. A job asked for twice in one group (two messages of it) is
     * taken at most once, by the first. A group of one runs the single-job statement, which decides.
     */
    private List<Optional<ClaimedJob>> claimGroup(List<Wanted> group) {
        if (group.size() == 1) {
            Wanted only = group.getFirst();
            return List.of(jobs.claim(only.jobId(), only.token(), leaseDuration));
        }
        Map<String, String> tokens = new LinkedHashMap<>();
        group.forEach(wanted -> tokens.putIfAbsent(wanted.jobId(), wanted.token()));
        Map<String, ClaimedJob> claimed = claimAll(tokens);
        List<Optional<ClaimedJob>> answers = new ArrayList<>(group.size());
        for (Wanted wanted : group) {
            // Tokens are unique per claim: only the first claim asked for a job went into the statement.
            ClaimedJob job = wanted.token().equals(tokens.get(wanted.jobId())) ? claimed.get(wanted.jobId()) : null;
            answers.add(job == null ? null : Optional.of(job));
        }
        return answers;
    }

    /**
     * Claims each job of {@code tokens} (a job id, distinct, and the token to hold it under) in one statement; the
     * jobs it took, by id.
     */
    private Map<String, ClaimedJob> claimAll(Map<String, String> tokens) {
        Map<String, ClaimedJob> claimed = new HashMap<>();
        for (ClaimedJob job :
                jobs.claimMany(List.copyOf(tokens.keySet()), List.copyOf(tokens.values()), leaseDuration)) {
            claimed.put(job.id(), job);
        }
        return claimed;
    }

    /**
     * How long until an unclaimable job may be claimed ({@link Duration#ZERO} when it is due), if it is queued;
     * empty when it is running, finished or unknown.
     */
    Optional<Duration> dueIn(String jobId) {
        return jobs.dueIn(jobId);
    }

    /** Stores the job's final outcome; false if the job was no longer this claim's. */
    boolean finish(Claim claim, boolean succeeded, Outcome outcome) {
        String id = claim.job().id();
        Instant now = clock.instant();
        Boolean stored = finishing.run(new Finish(id, claim.token(), succeeded, outcome, now));
        if (stored == null) {
            stored = succeeded
                    ? jobs.markSucceeded(id, claim.token(), outcome, now)
                    : jobs.markFailed(id, claim.token(), outcome, now);
        }
        if (!stored) {
            log.warn(
                    "Job {} was no longer this worker's to finish (its lease ran out and it was rescued); "
                            + "this attempt's result is dropped",
                    id);
        }
        return stored;
    }

    /**
     * One statement for a group of finishes: true for each stored; null (undecided) for one the group statement did
     * not store, which its caller then finishes on its own. A group of one runs the single-job statement, which
     * decides.
     */
    private List<Boolean> finishGroup(List<Finish> group) {
        if (group.size() == 1) {
            Finish only = group.getFirst();
            return List.of(
                    only.succeeded()
                            ? jobs.markSucceeded(only.id(), only.token(), only.outcome(), only.now())
                            : jobs.markFailed(only.id(), only.token(), only.outcome(), only.now()));
        }
        Set<String> seen = new HashSet<>();
        List<Finish> distinct =
                group.stream().filter(finish -> seen.add(finish.id())).toList();
        Set<String> stored = jobs.finishMany(distinct);
        List<Boolean> answers = new ArrayList<>(group.size());
        for (Finish finish : group) {
            answers.add(stored.remove(finish.id()) ? Boolean.TRUE : null);
        }
        return answers;
    }

    /**
     * Puts the job back to {@code queued}, not to be claimed before {@code delay} has passed on the database's clock,
     * while the caller keeps its message (so {@code published_at} is left alone: that message is still the job's).
     * False if the job was no longer this claim's, or if it ended instead because its batch is being cancelled or its
     * batch's completion window has closed (the finalisation sweep then settles the batch).
     */
    boolean putBack(Claim claim, Duration delay, boolean refundAttempt) {
        String id = claim.job().id();
        return Boolean.TRUE.equals(transaction.execute(status -> {
            if (!jobs.requeue(id, claim.token(), delay, refundAttempt)) {
                log.warn("Job {} was no longer this worker's to re-queue (its lease ran out and it was rescued)", id);
                return false;
            }
            if (jobs.cancelQueuedOfCancellingBatches(id, clock.instant()) == 1) {
                // Its batch was cancelled while it ran: it ends here instead of running again.
                log.info("Job {} was not re-queued: its batch is being cancelled", id);
                return false;
            }
            if (jobs.expireQueuedOfExpiredBatches(id, clock.instant()) == 1) {
                // Its batch's completion window closed while it ran: a retry would start it after the window.
                log.info("Job {} was not re-queued: its batch's completion window has closed", id);
                return false;
            }
            return true;
        }));
    }
}
