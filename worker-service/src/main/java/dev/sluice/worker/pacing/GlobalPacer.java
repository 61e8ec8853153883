package dev.sluice.worker.pacing;

import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import dev.sluice.common.TokenEstimate;
import dev.sluice.db.Pipelined;
import dev.sluice.db.pacer.BudgetRow;
import dev.sluice.db.pacer.PacerBudgetRepository;
import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.metrics.PacerWaits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The pacer every worker shares. <b>Guarantee: for each (upstream key, model) and each limit in force — N requests
 * or T tokens per W — the requests sent within any W + margin, counting every worker together, number at most N
 * and reserve at most T tokens; so the provider never sees more than its limits in any window of length W.</b>
 *
 * <p>Why it holds: each key-and-model budget is one PostgreSQL row holding a ledger of its recent dispatches
 * (send time, requests, tokens reserved). Every grant locks that row, reads the database's clock, grants only if
 * every limit of the model's set has room within the last W + margin, records the new send with its tokens, and
 * commits — so grants are serialised and measured by one clock, whatever the number of workers or the skew of their
 * clocks. Tokens are reserved at the grant (the prompt's estimate plus the answer's maximum, as the provider charges
 * on arrival) and corrected from the answer's {@code usage} ({@link #settle}).
 * Each grant is recorded as sent {@link #SEND_ALLOWANCE} after the grant, the latest it normally leaves;
 * a send that leaves later still (a slow claim, a GC pause, a cold connection) has its recorded time moved
 * past when its bytes actually left, by as much again as it was late ({@link #sent}), and one that left well within
 * the allowance from a burst that filled a window is moved back to twice its lateness, so no recorded time is earlier
 * than its request's actual send and the rule is kept between actual sends; one that would leave more than half a
 * window late is not sent at all ({@link #isStale}). The margin covers what remains: the time from leaving this process to
 * arriving at the provider of a request that left on time. It widens by itself after a 429 under a limit that was
 * right, which can only mean that time was underestimated.
 *
 * <p>While an operator has paused a model ({@code POST /admin/pause}), {@link #acquire} grants nothing for it:
 * it waits, asking again every {@link #MAX_POLL}, so every path that sends — the dispatcher, a job
 * held in its backoff, a job put back after a 429 — stops; only a grant already given when the pause
 * arrived is still used, for at most one call each.
 *
 * <p>A worker that dies mid-window leaves its sends recorded (they keep counting until they age out)
 * and its concurrency leases, which lapse after the lease duration. A worker that joins simply starts
 * asking: it sees the same row. Different models and keys are different rows and never wait for each other.
 */
@Component
public class GlobalPacer {

    private static final Logger log = LoggerFactory.getLogger(GlobalPacer.class);

    /** How long a waiting acquire sleeps at most before asking again, so pauses and limit changes apply promptly. */
    static final Duration MAX_POLL = Duration.ofMillis(500);
    /**
     * How long this worker applies a margin it widened itself before relying on the shared one it stored: several
     * refreshes of the {@code models} table (every second).
     */
    static final Duration LOCAL_MARGIN_GRACE = Duration.ofSeconds(5);

    /** The margin never widens beyond this. */
    static final Duration MAX_MARGIN = Duration.ofSeconds(2);
    /** A grant older than this is stale whatever its window (see {@link #isStale}). */
    static final Duration MAX_GRANT_AGE = Duration.ofSeconds(10);
    /** The least a margin widens to: doubling a margin of zero would leave it at zero. */
    static final Duration MIN_WIDENED_MARGIN = Duration.ofMillis(100);
    /**
     * How long after its grant a request is recorded as sent. Most requests leave within it (the message,
     * the claim and the write take a few milliseconds), so their recorded time is already no earlier than
     * their actual one and {@link #sent} has nothing to write; only later ones rewrite the row. It costs
     * each slot this much per window (0.5 % at W = 10 s) instead of one row rewrite per request, and does
     * not eat into the margin, which still covers only the way from this process to the provider.
     */
    static final Duration SEND_ALLOWANCE = Duration.ofMillis(50);

    /**
     * The least by which a send that left within the allowance must have left before its reservation for its recorded
     * time to be moved to when it left (twice its lateness, {@link Budget#chargedLateness}): a write of the pacer row
     * that frees its slot that much sooner.
     */
    static final Duration EARLIER_WORTH = Duration.ofMillis(10);

    private final BudgetStore store;
    private final LimitSource limits;
    private final List<Credential> credentials;
    private final Duration baseMargin;
    private final Duration lease;
    private final Duration allowance;
    private final Duration lookahead;
    private final MonotonicClock clock;
    private final Sleeper sleeper;
    private final Map<String, Duration> localMargins = new ConcurrentHashMap<>();
    private final Map<String, Long> lastWidened = new ConcurrentHashMap<>();
    private final AtomicInteger rotation = new AtomicInteger();

    @Autowired
    GlobalPacer(
            BudgetStore store, ModelLimits limits, WorkerProperties properties, MonotonicClock clock, Sleeper sleeper) {
        this(
                store,
                limits,
                properties.upstream().keys().stream().map(Credential::of).toList(),
                properties.pacing().safetyMargin(),
                properties.lease().duration(),
                SEND_ALLOWANCE,
                properties.pacing().lookahead(),
                clock,
                sleeper);
    }

    GlobalPacer(
            BudgetStore store,
            LimitSource limits,
            List<Credential> credentials,
            Duration margin,
            Duration lease,
            Duration allowance,
            Duration lookahead,
            MonotonicClock clock,
            Sleeper sleeper) {
        this.store = store;
        this.limits = limits;
        this.credentials = List.copyOf(credentials);
        this.baseMargin = margin;
        this.lease = lease;
        this.allowance = allowance;
        this.lookahead = lookahead;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /**
     * Blocks until a request to {@code model} with this token estimate may be sent with some credential (and the
     * model is not paused).
     */
    public Grant acquire(String model, TokenEstimate estimate) throws InterruptedException {
        return acquire(model, List.of(estimate)).getFirst();
    }

    /**
     * Blocks until at least the first of {@code estimates} may be sent to {@code model}, and returns grants for as
     * many of them, in order, as fit in one decision (a burst granted in one transaction rather than one after
     * another), all for one credential; each holds the tokens reserved for its request. While an operator has paused
     * the model it grants nothing and asks again every {@link #MAX_POLL}.
     *
     * <p>When a window is full but frees room within the lookahead ({@code sluice.pacing.lookahead}), the grants are
     * made <em>in advance</em>, for the instant the room opens: the caller takes and claims its jobs meanwhile and
     * sends when {@link #awaitSlot} returns, so a burst leaves together at the opening instead of trickling out
     * behind the work of preparing it. The slot is reserved for this worker alone from the moment of the grant.
     */
    public List<Grant> acquire(String model, List<TokenEstimate> estimates) throws InterruptedException {
        if (estimates.isEmpty()) {
            throw new IllegalArgumentException("nothing to acquire for");
        }
        boolean held = false;
        while (true) {
            if (limits.paused(model)) {
                if (!held) {
                    log.debug("Model {} is paused by an operator: holding a request until it is resumed", model);
                    held = true;
                }
                sleeper.sleep(MAX_POLL);
                continue;
            }
            Decision decision = acquireOnce(model, estimates);
            if (!decision.grants().isEmpty()) {
                return decision.grants();
            }
            long waitUs = decision.waitUs();
            long sleepUs = Math.clamp(waitUs, 1_000L, MAX_POLL.toNanos() / 1_000);
            sleeper.sleep(Duration.ofNanos(sleepUs * 1_000));
            PacerWaits.slept(model, Duration.ofNanos(sleepUs * 1_000));
        }
    }

    /**
     * Blocks until at least one request to {@code model} could be granted now by its request limits and
     * concurrency cap, and returns how many (up to {@code max}) could — without granting any. The dispatcher takes
     * that many messages, and only then asks for their grants with their tokens ({@link #acquire(String, List)}):
     * which jobs go is decided when a slot is open, not earlier, and a job's tokens are known before its grant. The
     * budget is read without its lock (one statement, no transaction): another worker may take the room meanwhile,
     * in which case the grants wait as usual.
     */
    public int room(String model, int max) throws InterruptedException {
        while (true) {
            if (limits.paused(model)) {
                sleeper.sleep(MAX_POLL);
                continue;
            }
            Room room = roomOnce(model, max);
            if (room.most() > 0) {
                return room.most();
            }
            long waitUs = room.waitUs();
            long sleepUs = Math.clamp(waitUs, 1_000L, MAX_POLL.toNanos() / 1_000);
            sleeper.sleep(Duration.ofNanos(sleepUs * 1_000));
            PacerWaits.slept(model, Duration.ofNanos(sleepUs * 1_000));
        }
    }

    /**
     * Grants decided in one pass over the credentials, or none and how long until the earliest could be; with the
     * budget's write still to send when it was decided in the caller's transaction ({@link #grantNow}).
     */
    private record Decision(List<Grant> grants, long waitUs, Pipelined.Statement write) {}

    private Decision acquireOnce(String model, List<TokenEstimate> estimates) {
        return acquireOnce(model, estimates, Pipelined.Statement.NONE, null);
    }

    /**
     * As {@link #acquireOnce(String, List)}; with {@code held}, in the caller's transaction, deciding on the budgets it
     * holds locked (and locking and creating any it found no row for), the write of the granting budget returned rather
     * than sent, with {@code before} ahead of it unless it went with a lock.
     */
    private Decision acquireOnce(
            String model, List<TokenEstimate> estimates, Pipelined.Statement before, HeldBudgets held) {
        long[] costs = estimates.stream().mapToLong(e -> limits.cost(model, e)).toArray();
        LimitSet set = limits.limits(model);
        Duration margin = margin(model);
        Budget.Rules rules = new Budget.Rules(set.limits(), margin, limits.maxConcurrency(model), lease, allowance);
        long waitUs = Long.MAX_VALUE;
        Pipelined.Statement unsent = before;
        int start = Math.floorMod(rotation.getAndIncrement(), credentials.size());
        for (int i = 0; i < credentials.size(); i++) {
            int index = (start + i) % credentials.size();
            Credential credential = credentials.get(index);
            Budget.Burst[] burst = new Budget.Burst[1];
            long[] decidedNanos = new long[1];
            Pipelined.Statement write = Pipelined.Statement.NONE;
            PacerBudgetRepository.LockedBudget locked =
                    held == null ? null : held.rows().get(index);
            if (locked != null && locked.locked()) {
                // Read under its lock in the caller's first round trip, and held since: no one else granted
                // meanwhile. Decided at that reading's clock moved on by the time this worker measured since (the
                // take fetched its messages in between): the database's clock now, as a reading of it would be, so
                // a send's lateness counts from here and not from before the fetch.
                long sinceUs = Math.max(0, (clock.nanos() - held.readNanos()) / 1_000);
                BudgetRow row = locked.row().at(locked.row().nowUs() + sinceUs);
                burst[0] = Budget.decideMany(row, rules, costs, lookaheadUs());
                decidedNanos[0] = clock.nanos() + (burst[0].atUs() - row.nowUs()) * 1_000;
                if (!burst[0].grants().isEmpty()) {
                    write = PacerBudgetRepository.writing(credential.fingerprint(), model, burst[0].row());
                }
            } else {
                UnaryOperator<BudgetRow> decide = row -> {
                    burst[0] = Budget.decideMany(row, rules, costs, lookaheadUs());
                    // Just after the row's clock was read, before the write and commit: lateness counts from here,
                    // or from the instant an advance grant is for, on this clock.
                    decidedNanos[0] = clock.nanos() + (burst[0].atUs() - row.nowUs()) * 1_000;
                    return burst[0].grants().isEmpty() ? row : burst[0].row();
                };
                if (held != null) {
                    write = store.decide(credential.fingerprint(), model, decide, unsent)
                            .write();
                } else {
                    store.update(credential.fingerprint(), model, decide, unsent);
                }
                unsent = Pipelined.Statement.NONE;
            }
            if (!burst[0].grants().isEmpty()) {
                return new Decision(
                        burst[0].grants().stream()
                                .map(g -> new Grant(
                                        credential,
                                        model,
                                        g.sentUs(),
                                        g.tokens(),
                                        g.leaseUntilUs(),
                                        decidedNanos[0],
                                        set,
                                        margin,
                                        burst[0].fills()))
                                .toList(),
                        0,
                        Pipelined.together(unsent, write));
            }
            Budget.Wait wait = burst[0].notBefore();
            waitUs = Math.min(waitUs, wait.untilUs() - wait.row().nowUs() - lookaheadUs());
        }
        return new Decision(List.of(), waitUs, unsent);
    }

    /**
     * What {@link #acquire(String, List)} grants now, without waiting: grants for as many of {@code estimates}, in
     * order, as fit in one decision, or none (also while the model is paused).
     */
    public List<Grant> acquireNow(String model, List<TokenEstimate> estimates) {
        if (estimates.isEmpty() || limits.paused(model)) {
            return List.of();
        }
        return acquireOnce(model, estimates).grants();
    }

    /**
     * The model's budgets as a take read them under their locks ({@code LaneRepository.lockWithBudgets}), one per key
     * in the order of {@link #credentials()}, and when, on this pacer's clock, the reading came back.
     */
    public record HeldBudgets(List<PacerBudgetRepository.LockedBudget> rows, long readNanos) {}

    /** {@code rows}, read just now: call as the reading comes back. */
    public HeldBudgets held(List<PacerBudgetRepository.LockedBudget> rows) {
        if (rows.size() != credentials.size()) {
            throw new IllegalArgumentException(
                    "a reading of " + rows.size() + " budgets for " + credentials.size() + " credentials");
        }
        return new HeldBudgets(rows, clock.nanos());
    }

    /**
     * Grants made in the caller's transaction ({@link #grantNow}), and what the caller must send in that transaction
     * before it commits: the write of the budget that records them, after any statements of its own not sent yet.
     */
    public record Granted(List<Grant> grants, Pipelined.Statement write) {}

    /**
     * As {@link #acquireNow(String, List)}, in the caller's transaction, for a dispatcher that holds the model's lanes
     * and its budgets ({@code held}), so that the messages it took are granted before another worker can count the
     * same room: decided on those rows, with no round trip of its own (a budget whose row was not there to lock,
     * deleted meanwhile, is created and locked first, with {@code before}, writes of the caller's transaction, sent
     * ahead of that lock). Nothing is sent otherwise: the answer's write carries {@code before} (also when nothing is
     * granted, or the model is paused) and the granting budget's write, for the take to send with its claims and its
     * commit, one round trip for all.
     */
    public Granted grantNow(String model, List<TokenEstimate> estimates, Pipelined.Statement before, HeldBudgets held) {
        if (estimates.isEmpty() || limits.paused(model)) {
            return new Granted(List.of(), before);
        }
        Decision decision = acquireOnce(model, estimates, before, held);
        return new Granted(decision.grants(), decision.write());
    }

    /** How many requests could be granted now by one pass over the credentials, and else how long until one. */
    private record Room(int most, long waitUs) {}

    private Room roomOnce(String model, int free) {
        return roomOnce(
                model,
                free,
                credentials.stream()
                        .map(credential -> store.read(credential.fingerprint(), model))
                        .toList());
    }

    /** {@link #roomOnce(String, int)} from {@code budgets} already read, one per credential in order. */
    private Room roomOnce(String model, int free, List<BudgetRow> budgets) {
        Budget.Rules rules = rules(model);
        List<Limit> requestLimits =
                rules.limits().stream().filter(Limit::countsRequests).toList();
        Budget.Rules requestsOnly = new Budget.Rules(
                requestLimits.isEmpty() ? rules.limits() : requestLimits,
                rules.margin(),
                rules.maxConcurrency(),
                rules.lease(),
                rules.allowance());
        long waitUs = Long.MAX_VALUE;
        int most = 0;
        for (BudgetRow budget : budgets) {
            // A reading without the row's lock: an estimate of how many messages to take, never a grant. It neither
            // waits behind other workers' grants and late-send corrections nor holds them up, and costs one statement
            // (none of its own in a take, which reads it in its lanes' lock's round trip).
            Budget.Room room = Budget.room(budget, requestsOnly, free, lookaheadUs());
            most = Math.max(most, room.most());
            if (room.notBefore() != null) {
                Budget.Wait wait = room.notBefore();
                // Room opens at untilUs; it can be taken (in advance) one lookahead earlier.
                waitUs = Math.min(waitUs, wait.untilUs() - wait.row().nowUs() - lookaheadUs());
            }
        }
        return new Room(most, waitUs);
    }

    /** What {@link #room} would answer now, without waiting: 0 when no request could be granted now or paused. */
    public int roomNow(String model, int max) {
        if (limits.paused(model)) {
            return 0;
        }
        return roomOnce(model, max).most();
    }

    /** The keys' fingerprints, in the order {@link #roomNow(String, int, List)} takes their budgets. */
    public List<String> credentials() {
        return credentials.stream().map(Credential::fingerprint).toList();
    }

    /**
     * {@link #roomNow(String, int)} from the model's budgets read already, one per key in the order of {@link
     * #credentials()}: a take reads them in its lanes' lock's round trip ({@code LaneRepository.lockWithBudgets}).
     */
    public int roomNow(String model, int max, List<BudgetRow> read) {
        if (limits.paused(model)) {
            return 0;
        }
        if (read.size() != credentials.size()) {
            throw new IllegalArgumentException(
                    "a reading of " + read.size() + " budgets for " + credentials.size() + " credentials");
        }
        return roomOnce(model, max, read).most();
    }

    /**
     * Whether a request to {@code model} with this estimate can ever be sent: its tokens fit in every token window
     * of the model. One that does not is failed rather than queued forever (it is refused at submission, but a
     * limit learned since may have shrunk).
     */
    public boolean fits(String model, TokenEstimate estimate) {
        OptionalLong ceiling = limits.limits(model).tokenCeiling();
        return ceiling.isEmpty() || limits.cost(model, estimate) <= ceiling.getAsLong();
    }

    /**
     * Whether a grant is too old to send on: more than half the shortest window of the limits it was granted under
     * (at most {@link #MAX_GRANT_AGE}) has passed (on the monotonic clock) since it was decided, or the allowance and
     * the margin if longer. A grant
     * exactly that old may still be used. A late send is safe as long as the correction that charges its lateness
     * ({@link #sent}) is written before the slot it took can be granted again, one allowance, window and margin after
     * the grant: half a window leaves the other half for that write. Cancelling sooner would only churn: a job that
     * waited for an in-flight slot with its grant in hand would give the grant back and wait a whole window for a
     * new one.
     */
    public boolean isStale(Grant grant) {
        Duration halfWindow = grant.limits().shortestWindow().dividedBy(2);
        if (halfWindow.compareTo(MAX_GRANT_AGE) > 0) {
            halfWindow = MAX_GRANT_AGE;
        }
        Duration least = allowance.plus(margin(grant.model()));
        Duration oldest = halfWindow.compareTo(least) > 0 ? halfWindow : least;
        return clock.nanos() - grant.grantedNanos() > oldest.toNanos();
    }

    /**
     * Records when the granted request's bytes actually left ({@code sentNanos}, on the same monotonic clock as
     * the grant's {@link Grant#grantedNanos()}: {@link System#nanoTime()} in production). A request is charged twice
     * its lateness, at least ({@link Budget#chargedLateness}): what held it back in this process (a cold JVM, a new
     * connection, a busy CPU) is taken to hold it back on its way to the provider too, so the slot it frees opens that
     * much later — the margin adapts, send by send and for every worker (it is in the shared row), to the lateness
     * measured. One that left later than its reservation ({@link #SEND_ALLOWANCE} after the grant) is moved later. One
     * that left so soon that twice its lateness is at least {@link #EARLIER_WORTH} before the reservation is moved back
     * to it if its grant filled a window ({@link Grant#fillsWindow()}), so that the slot the next request waits for
     * opens that much sooner; otherwise its reservation stands and it costs no transaction.
     */
    public void sent(Grant grant, long sentNanos) {
        sentAll(List.of(new Send(grant, sentNanos)));
    }

    /** A granted request and when its bytes left, on the grant's monotonic clock ({@link #sentAll}). */
    public record Send(Grant grant, long sentNanos) {}

    /**
     * {@link #sent(Grant, long)} for several requests at once: those of one model and credential to move are charged
     * in one transaction on their pacer row, in order, rather than one transaction (and one wait for the row's lock,
     * which every grant of the model takes too) each.
     */
    public void sentAll(List<Send> sends) {
        long allowanceUs = Budget.micros(allowance);
        Map<String, List<Move>> byRow = new LinkedHashMap<>();
        for (Send send : sends) {
            Grant grant = send.grant();
            long lateUs = Math.max(0, (send.sentNanos() - grant.grantedNanos()) / 1_000);
            long grantedUs = grant.sentUs() - allowanceUs;
            long chargedUs = grantedUs + Budget.chargedLateness(lateUs, allowanceUs);
            boolean late = chargedUs > grant.sentUs();
            // Sooner than its reservation: worth a write only where the next request waits for this slot, and by
            // enough to matter.
            boolean sooner = grant.fillsWindow() && chargedUs <= grant.sentUs() - Budget.micros(EARLIER_WORTH);
            if (late) {
                log.debug(
                        "Request to {} left {} ms after its grant; its send is counted {} ms after its grant",
                        grant.model(),
                        lateUs / 1_000,
                        (chargedUs - grantedUs) / 1_000);
            }
            if (late || sooner) {
                byRow.computeIfAbsent(grant.credential().fingerprint() + "\n" + grant.model(), row -> new ArrayList<>())
                        .add(new Move(grant, chargedUs));
            }
        }
        for (List<Move> moves : byRow.values()) {
            Grant first = moves.getFirst().grant();
            Budget.Rules rules = rules(first.model());
            update(first, row -> {
                BudgetRow next = row;
                for (Move one : moves) {
                    next = Budget.sent(
                            next,
                            rules,
                            one.grant().sentUs(),
                            one.chargedUs(),
                            one.grant().tokens());
                }
                return next;
            });
        }
    }

    /** A send to charge at another time than its grant recorded: later, or sooner. */
    private record Move(Grant grant, long chargedUs) {}

    /**
     * The answer says the provider counted {@code counted} tokens for the request sent under {@code grant}: the
     * budget's reservation is corrected to that (a refund, or an extra charge). Only models with a token limit keep
     * token counts worth correcting, so for others nothing is written.
     */
    public void settle(Grant grant, long counted) {
        if (counted < 0
                || counted == grant.tokens()
                || limits.limits(grant.model()).tokenCeiling().isEmpty()) {
            return;
        }
        update(grant, row -> Budget.settle(row, rules(grant.model()), grant.sentUs(), grant.tokens(), counted));
    }

    /**
     * The granted request is no longer in flight: ends its concurrency lease. A grant made when the model had
     * no concurrency cap holds none, so there is nothing to write and no transaction is made.
     */
    public void release(Grant grant) {
        if (grant.leaseUntilUs() != Budget.NO_LEASE) {
            update(grant, row -> Budget.release(row, grant.leaseUntilUs()));
        }
    }

    /** The grant was not used: nothing was sent. */
    public void cancel(Grant grant) {
        update(
                grant,
                row -> Budget.cancel(row, rules(grant.model()), grant.sentUs(), grant.tokens(), grant.leaseUntilUs()));
    }

    /**
     * The provider answered 429 to a request sent under {@code grant}: no request to the model with that
     * key until {@code pause} has passed.
     */
    public void rateLimited(Grant grant, Duration pause) {
        update(grant, row -> Budget.pause(row, row.nowUs() + Budget.micros(pause)));
    }

    /**
     * Widens the model's margin (doubling, up to {@link #MAX_MARGIN}) for every worker, at most once per
     * window: a 429 under a limit that was right can only mean the margin was too small, and the burst of
     * 429s one such window can produce is one lesson, not several.
     */
    public void widenMargin(String model) {
        Duration window = limits.limits(model).shortestWindow();
        long nowNanos = clock.nanos();
        Long last = lastWidened.get(model);
        if (last != null && nowNanos - last < window.toNanos()) {
            return;
        }
        lastWidened.put(model, nowNanos);
        Duration current = margin(model);
        Duration doubled = current.multipliedBy(2);
        Duration widened = doubled.compareTo(MAX_MARGIN) > 0
                ? MAX_MARGIN
                : doubled.compareTo(MIN_WIDENED_MARGIN) < 0 ? MIN_WIDENED_MARGIN : doubled;
        localMargins.put(model, widened);
        limits.widenMargin(model, widened);
        log.warn(
                "Safety margin of model {} widened from {} ms to {} ms after a 429 at a window's edge",
                model,
                current.toMillis(),
                widened.toMillis());
    }

    /** The safety margin applied to {@code model}: the configured one, or wider once 429s widened it. */
    public Duration margin(String model) {
        Duration margin = baseMargin;
        Duration shared = limits.widenedMargin(model);
        if (shared != null && shared.compareTo(margin) > 0) {
            margin = shared;
        }
        Duration local = localMargins.get(model);
        Long widenedAt = lastWidened.get(model);
        // This worker's own widening applies at once, before the shared value it wrote is read back; once that has
        // had time to arrive, the shared value alone counts, so an operator's new limits (which clear it) reset the
        // margin on every worker.
        boolean fresh = widenedAt != null && clock.nanos() - widenedAt < LOCAL_MARGIN_GRACE.toNanos();
        return fresh && local != null && local.compareTo(margin) > 0 ? local : margin;
    }

    /** Every limit in force for {@code model}. */
    public LimitSet limits(String model) {
        return limits.limits(model);
    }

    /** The rules a decision for {@code model} is made under now. */
    private Budget.Rules rules(String model) {
        return new Budget.Rules(
                limits.limits(model).limits(), margin(model), limits.maxConcurrency(model), lease, allowance);
    }

    /**
     * Waits until the instant {@code grant} is for: at once for a grant of the present, until its slot opens for one
     * granted in advance (see {@link #acquire(String, List)}). A request must not leave before this returns.
     */
    public void awaitSlot(Grant grant) throws InterruptedException {
        long early = grant.grantedNanos() - clock.nanos();
        if (early > 0) {
            sleeper.sleep(Duration.ofNanos(early));
        }
    }

    private long lookaheadUs() {
        return Budget.micros(lookahead);
    }

    /** How many credentials share the work. */
    public int credentialCount() {
        return credentials.size();
    }

    private void update(Grant grant, UnaryOperator<BudgetRow> change) {
        store.update(grant.credential().fingerprint(), grant.model(), change);
    }
}
