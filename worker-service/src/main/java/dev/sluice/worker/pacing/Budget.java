package dev.sluice.worker.pacing;

import dev.sluice.common.Limit;
import dev.sluice.db.pacer.BudgetRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pacing rule, as pure functions of one (credential, model) budget. A dispatch costing {@code t} tokens is
 * granted at {@code now} only if, for <em>every</em> limit in force, what was sent within the last W + margin
 * leaves room for it (fewer than N requests; at most T − t tokens), fewer than the concurrency cap are in flight,
 * and the budget is not paused. All times are microseconds on the database's clock; nothing here reads a clock or
 * sleeps, so tests drive it with plain numbers.
 *
 * <p>The budget's ledger holds entries (time, requests, tokens), oldest first. A dispatch granted at {@code now}
 * is recorded as sent at {@code now + allowance}, the latest it is expected to leave (only a later one needs
 * {@link #sent}), with the tokens reserved for it; {@link #settle} corrects them to what the provider counted.
 * Entries are forgotten once older than the longest window plus the margin.
 *
 * <p>The ledger stays small whatever the limits: time is cut into slices of W / {@value #RESOLUTION}, W being the
 * shortest window whose span still counts an entry, and entries in one slice are merged, the merged entry taking the
 * <em>latest</em> of their times and the sum of their counts. A send is then counted as if made at most
 * W / {@value #RESOLUTION} later than it was, which can only make the rule wait longer (by at most that much per
 * window, 0.4 %), never let more through; and the ledger holds at most about {@value #RESOLUTION} entries per
 * window length, so a budget of 30,000 requests per minute is as cheap to decide as one of 15.
 */
final class Budget {

    /** The reason of a {@link Wait} for a pause (a 429, or none in force). */
    static final String PAUSED = "paused";

    /** The reason of a {@link Wait} for the concurrency cap. */
    static final String CONCURRENCY = "concurrency";

    /** The lease end of a grant made under no concurrency cap: it holds no lease, and its release changes nothing. */
    static final long NO_LEASE = 0;

    /** Entries closer together than a window's length over this are merged (see the class comment). */
    static final int RESOLUTION = 256;

    private Budget() {}

    /**
     * What the rule is decided under, besides the budget itself.
     *
     * @param limits         every limit in force, all of them held at once
     * @param margin         the safety margin added to every window
     * @param maxConcurrency the most requests in flight at once, or null for no cap
     * @param lease          how long a grant's concurrency lease lasts if never released
     * @param allowance      how long after its grant a dispatch is recorded as sent
     */
    record Rules(List<Limit> limits, Duration margin, Integer maxConcurrency, Duration lease, Duration allowance) {

        Rules {
            limits = List.copyOf(limits);
            if (limits.isEmpty()) {
                throw new IllegalArgumentException("a budget needs at least one limit");
            }
        }

        long spanUs(Limit limit) {
            return micros(limit.window().plus(margin));
        }

        long longestSpanUs() {
            return limits.stream().mapToLong(this::spanUs).max().orElseThrow();
        }
    }

    /** What a decision came to: a dispatch now, or the earliest instant worth asking again. */
    sealed interface Decision {

        /** The row to store. */
        BudgetRow row();
    }

    /**
     * Go: the dispatch was recorded as sent at {@code sentUs} with {@code tokens} reserved, and holds a concurrency
     * lease until {@code leaseUntilUs} (or none, {@link #NO_LEASE}, when the model has no concurrency cap).
     *
     * @param row          the budget with the dispatch recorded
     * @param sentUs       the send time recorded for it: the decision's instant plus the allowance
     * @param tokens       the tokens reserved for it
     * @param leaseUntilUs when its concurrency lease runs out if never released, or {@link #NO_LEASE}
     */
    record Granted(BudgetRow row, long sentUs, long tokens, long leaseUntilUs) implements Decision {}

    /**
     * Not yet: ask again at {@code untilUs}.
     *
     * @param row     the budget, unchanged
     * @param untilUs the earliest instant a dispatch could be granted
     * @param reason  what holds it back, for logs and metrics: {@code paused}, {@code concurrency} or the limit
     */
    record Wait(BudgetRow row, long untilUs, String reason) implements Decision {}

    /** Decides on one dispatch costing {@code tokens} at the row's {@code nowUs}. */
    static Decision decide(BudgetRow row, Rules rules, long tokens) {
        return decide(row, rules, tokens, row.nowUs());
    }

    /**
     * Decides on one dispatch costing {@code tokens} to be sent at {@code atUs}, the row's {@code nowUs} or later (an
     * advance grant, see {@link #decideMany(BudgetRow, Rules, long[], long)}): the rule is applied at that instant
     * to every send recorded, including those recorded later still. Only what no window counts at the row's own
     * {@code nowUs} is forgotten, since other workers decide at that instant meanwhile.
     */
    private static Decision decide(BudgetRow row, Rules rules, long tokens, long atUs) {
        long now = row.nowUs();
        long at = Math.max(now, atUs);
        if (row.pausedUntilUs() != null && row.pausedUntilUs() > at) {
            return new Wait(row, row.pausedUntilUs(), PAUSED);
        }
        BudgetRow current = forget(row, rules.longestSpanUs());
        long until = Long.MIN_VALUE;
        String reason = null;
        for (Limit limit : rules.limits()) {
            long fitsAt = fitsAt(current, limit, rules.spanUs(limit), limit.countsRequests() ? 1 : tokens, at);
            if (fitsAt > at && fitsAt > until) {
                until = fitsAt;
                reason = limit.toString();
            }
        }
        if (reason != null) {
            return new Wait(row, until, reason);
        }
        long[] busy = Arrays.stream(current.busyUntilUs())
                .filter(b -> b > now)
                .sorted()
                .toArray();
        long[] busyAt = Arrays.stream(busy).filter(b -> b > at).toArray();
        Integer cap = rules.maxConcurrency();
        if (cap != null && busyAt.length >= cap) {
            return new Wait(row, busyAt[0], CONCURRENCY);
        }
        long[] times = current.sentUs();
        // Unique and ordered: a send is found again by its time (see sent and settle).
        long sent = Math.max(at + micros(rules.allowance()), times.length == 0 ? 0 : times[times.length - 1] + 1);
        BudgetRow recorded = compact(append(current.withBusyUntil(busy), sent, 1, tokens), rules, now);
        if (cap == null) {
            // No cap: nothing counts requests in flight, so none is leased.
            return new Granted(recorded, sent, tokens, NO_LEASE);
        }
        long leaseUntil = at + micros(rules.lease());
        return new Granted(recorded.withBusyUntil(appendSorted(busy, leaseUntil)), sent, tokens, leaseUntil);
    }

    /**
     * Decides on several dispatches at the same instant (a burst), the i-th costing {@code tokens[i]}, each under
     * the rule as the previous ones left it, in order: stops at the first that does not fit, so a cheap request never
     * overtakes an expensive one before it. Returns the grants (possibly none) and the row to store.
     */
    static Burst decideMany(BudgetRow row, Rules rules, long[] tokens) {
        return decideAt(row, rules, tokens, row.nowUs());
    }

    /**
     * Like {@link #decideMany(BudgetRow, Rules, long[])}, but when nothing fits now because a window is full and it
     * frees room within {@code lookaheadUs}, grants in advance: the burst is decided at that instant, as the rule
     * will stand then ({@link Burst#atUs()}), and each send is recorded as made then plus the allowance. The caller
     * must not send before that instant. Recording a send in advance is as safe as recording it on the spot: any
     * later decision, whatever instant it is made for, counts every send recorded after the start of its own span,
     * the advance ones included. A pause or a full concurrency cap is never granted in advance.
     */
    static Burst decideMany(BudgetRow row, Rules rules, long[] tokens, long lookaheadUs) {
        Burst now = decideAt(row, rules, tokens, row.nowUs());
        Wait wait = now.notBefore();
        if (wait == null
                || lookaheadUs <= 0
                || wait.untilUs() - row.nowUs() > lookaheadUs
                || wait.reason().equals(PAUSED)
                || wait.reason().equals(CONCURRENCY)) {
            return now;
        }
        Burst ahead = decideAt(row, rules, tokens, wait.untilUs());
        return ahead.grants().isEmpty() ? now : ahead;
    }

    private static Burst decideAt(BudgetRow row, Rules rules, long[] tokens, long atUs) {
        List<Granted> grants = new ArrayList<>();
        BudgetRow current = row;
        for (long cost : tokens) {
            Decision decision = decide(current, rules, cost, atUs);
            if (decision instanceof Wait wait) {
                return new Burst(
                        grants, current, grants.isEmpty() ? wait : null, atUs, !grants.isEmpty() && full(wait));
            }
            Granted granted = (Granted) decision;
            grants.add(granted);
            current = granted.row();
        }
        return new Burst(grants, current, null, atUs, !grants.isEmpty() && full(decide(current, rules, 0, atUs)));
    }

    /**
     * How many dispatches of no tokens {@link #decideMany(BudgetRow, Rules, long[], long)} would grant, up to {@code
     * max}, without recording any: what is left of each request limit's window and of the concurrency cap, counted in
     * one pass over the ledger where deciding them would take one pass per dispatch. A take asks this with the free
     * places of its pool (often 100 or more) before it knows how many messages wait. It is never less than the grants
     * would be; it is more only when recording them would merge an entry that has left a window with one still in it
     * (see {@link #compact}), which happens within a slice of the window's edge. An estimate, then, not a grant: the
     * grants are decided with the row's lock.
     *
     * @return how many, and when that is none, the wait that {@code decideMany} would have returned
     */
    static Room room(BudgetRow row, Rules rules, int max, long lookaheadUs) {
        int now = roomAt(row, rules, max, row.nowUs());
        if (now > 0 || max <= 0) {
            return new Room(now, null);
        }
        if (!(decide(row, rules, 0, row.nowUs()) instanceof Wait wait)) {
            throw new IllegalStateException("no room counted where a dispatch would be granted");
        }
        if (lookaheadUs <= 0
                || wait.untilUs() - row.nowUs() > lookaheadUs
                || wait.reason().equals(PAUSED)
                || wait.reason().equals(CONCURRENCY)) {
            return new Room(0, wait);
        }
        int ahead = roomAt(row, rules, max, wait.untilUs());
        return ahead > 0 ? new Room(ahead, null) : new Room(0, wait);
    }

    /**
     * The outcome of {@link #room}.
     *
     * @param most      how many could be granted, now or at the instant of an advance grant
     * @param notBefore when none could, when to ask again; otherwise null
     */
    record Room(int most, Wait notBefore) {}

    /** {@link #room}'s count at the instant {@code atUs} (the row's {@code nowUs} or later). */
    private static int roomAt(BudgetRow row, Rules rules, int max, long atUs) {
        long at = Math.max(row.nowUs(), atUs);
        if (row.pausedUntilUs() != null && row.pausedUntilUs() > at) {
            return 0;
        }
        long[] times = row.sentUs();
        long most = max;
        for (Limit limit : rules.limits()) {
            long spanUs = rules.spanUs(limit);
            long used = 0;
            for (int i = times.length - 1; i >= 0 && times[i] + spanUs > at; i--) {
                used += amount(row, i, limit);
            }
            if (limit.countsRequests()) {
                most = Math.min(most, limit.amount() - used);
            } else if (used > limit.amount()) {
                // A dispatch of no tokens fits a token window that is not over its limit, however many go.
                return 0;
            }
        }
        Integer cap = rules.maxConcurrency();
        if (cap != null) {
            long busy = Arrays.stream(row.busyUntilUs()).filter(b -> b > at).count();
            most = Math.min(most, cap - busy);
        }
        return (int) Math.max(0, most);
    }

    /** Whether a decision was held back by a limit's window (not by a pause or a concurrency cap). */
    private static boolean full(Decision decision) {
        return decision instanceof Wait wait
                && !wait.reason().equals(PAUSED)
                && !wait.reason().equals(CONCURRENCY);
    }

    /**
     * The outcome of {@link #decideMany}.
     *
     * @param grants    the dispatches granted, all for the instant {@code atUs}
     * @param row       the row to store
     * @param notBefore when nothing was granted, when to ask again; otherwise null
     * @param atUs      the instant the grants are for: the row's {@code nowUs}, or later for grants in advance
     * @param fills     whether the grants left a limit's window full at that instant: the next request waits for one
     *                  of the recorded sends to leave the window, so when each actually left matters
     */
    record Burst(List<Granted> grants, BudgetRow row, Wait notBefore, long atUs, boolean fills) {}

    /**
     * The earliest instant a dispatch needing {@code need} of {@code limit} fits: {@code now} if it does, else the moment
     * enough of the oldest entries have left the span. A need larger than the whole limit (a request bigger than
     * a token window, refused at submission but possible after a limit shrank) fits once the window is empty.
     */
    private static long fitsAt(BudgetRow row, Limit limit, long spanUs, long need, long now) {
        long[] times = row.sentUs();
        long capped = Math.min(need, limit.amount());
        long used = 0;
        int first = times.length;
        for (int i = times.length - 1; i >= 0 && times[i] + spanUs > now; i--) {
            used += amount(row, i, limit);
            first = i;
        }
        if (used + capped <= limit.amount()) {
            return now;
        }
        for (int i = first; i < times.length; i++) {
            used -= amount(row, i, limit);
            if (used + capped <= limit.amount()) {
                return times[i] + spanUs;
            }
        }
        return times[times.length - 1] + spanUs;
    }

    private static long amount(BudgetRow row, int i, Limit limit) {
        return limit.countsRequests() ? row.sentCounts()[i] : row.sentTokens()[i];
    }

    /**
     * How long after its grant a send that left {@code lateUs} after it is counted as made: twice its lateness (when it
     * left, plus as much again) while that is within the allowance; the allowance, its reservation, while it left
     * within the allowance but twice its lateness is not; beyond the allowance, when it left plus, once more, how much
     * it was late beyond the allowance. The
     * arrival of a request that left late is assumed to trail its leaving by as much again — the same cold JVM, new
     * connection or busy CPU that held it here holds it on the way, and on a machine shared with the provider holds the
     * provider too — so the send that replaces it waits that much longer. Continuous and never decreasing, so a
     * request a little later costs a little more, and never less than when it left.
     */
    static long chargedLateness(long lateUs, long allowanceUs) {
        if (2 * lateUs <= allowanceUs) {
            return 2 * lateUs;
        }
        return Math.max(allowanceUs, 2 * lateUs - allowanceUs);
    }

    /**
     * Moves the send recorded at {@code recordedUs}, which reserved {@code tokens}, to {@code actualUs}: later, for a
     * send that left later than its reservation allowed, or earlier, for one that left sooner. If it was merged with
     * other sends into one entry, it alone is taken out of that entry and recorded at its new time, so one late send
     * does not hold back the slots of the on-time sends it was merged with. Earlier is safe only for a time no earlier
     * than the request actually left (the caller's {@link #chargedLateness}).
     */
    static BudgetRow sent(BudgetRow row, Rules rules, long recordedUs, long actualUs, long tokens) {
        int i = holding(row, rules, recordedUs);
        if (i < 0 || actualUs == recordedUs || (actualUs > recordedUs && row.sentUs()[i] >= actualUs)) {
            // Already forgotten (its window passed), where it is already, or already recorded as late as that.
            return row;
        }
        long moved = actualUs;
        while (Arrays.binarySearch(row.sentUs(), moved) >= 0) {
            moved++;
        }
        int count = row.sentCounts()[i];
        BudgetRow moving;
        if (count <= 1) {
            long cost = row.sentTokens()[i];
            moving = insert(remove(row, i), moved, count, cost);
        } else {
            int[] counts = row.sentCounts().clone();
            long[] spent = row.sentTokens().clone();
            long cost = Math.min(tokens, spent[i]);
            counts[i]--;
            spent[i] -= cost;
            moving = insert(row.withLedger(row.sentUs(), counts, spent), moved, 1, cost);
        }
        // Sends of one burst that left late together land in one slice again, and free their slots together.
        return compact(moving, rules, row.nowUs());
    }

    /**
     * Corrects the tokens of the send recorded at {@code recordedUs} from the {@code reserved} ones to what the
     * provider counted, {@code actual}: a refund or an extra charge, so the window counts what the provider counted.
     * An extra charge for a send already forgotten (or never found) is counted from now on, which waits longer
     * than needed rather than less.
     */
    static BudgetRow settle(BudgetRow row, Rules rules, long recordedUs, long reserved, long actual) {
        long delta = actual - reserved;
        if (delta == 0) {
            return row;
        }
        int i = holding(row, rules, recordedUs);
        if (i < 0) {
            return delta > 0 ? append(row, Math.max(row.nowUs(), lastTime(row) + 1), 0, delta) : row;
        }
        long[] tokens = row.sentTokens().clone();
        tokens[i] = Math.max(0, tokens[i] + delta);
        return row.withLedger(row.sentUs(), row.sentCounts(), tokens);
    }

    /** Ends a dispatch's concurrency lease: its request is no longer in flight. Without a lease, the same row. */
    static BudgetRow release(BudgetRow row, long leaseUntilUs) {
        if (leaseUntilUs == NO_LEASE) {
            return row;
        }
        return row.withBusyUntil(removeValue(row.busyUntilUs(), leaseUntilUs));
    }

    /**
     * Takes back a dispatch that was never sent (no job to send after all): frees its slot, its tokens and its
     * lease. A send merged with others is taken out of its entry.
     */
    static BudgetRow cancel(BudgetRow row, Rules rules, long sentUs, long tokens, long leaseUntilUs) {
        BudgetRow released = release(row, leaseUntilUs);
        int i = holding(released, rules, sentUs);
        if (i < 0) {
            return released;
        }
        if (released.sentCounts()[i] <= 1) {
            return remove(released, i);
        }
        int[] counts = released.sentCounts().clone();
        long[] spent = released.sentTokens().clone();
        counts[i]--;
        spent[i] = Math.max(0, spent[i] - tokens);
        return released.withLedger(released.sentUs(), counts, spent);
    }

    /** No dispatch before {@code untilUs} (a 429): extends a pause, never shortens it. */
    static BudgetRow pause(BudgetRow row, long untilUs) {
        long until = row.pausedUntilUs() == null ? untilUs : Math.max(row.pausedUntilUs(), untilUs);
        return row.withPausedUntil(until);
    }

    /**
     * How much of {@code limit} the ledger uses at the row's time, as the rule counts it with {@code margin}: what the
     * tests read the ledger with. Operators see the database's reading ({@code PacerBudgetRepository.used}), which
     * counts the window without the margin.
     */
    static long used(BudgetRow row, Limit limit, Duration margin) {
        long span = micros(limit.window().plus(margin));
        long used = 0;
        for (int i = row.sentUs().length - 1; i >= 0 && row.sentUs()[i] + span > row.nowUs(); i--) {
            used += amount(row, i, limit);
        }
        return used;
    }

    static long micros(Duration duration) {
        return duration.toNanos() / 1_000;
    }

    /**
     * The entry a send recorded at {@code recordedUs} is in: its own, or the earliest later one (a merged entry
     * takes the latest time of those merged into it). -1 when it is forgotten or may be (older than every span:
     * the entry found later might be another send's).
     */
    private static int holding(BudgetRow row, Rules rules, long recordedUs) {
        if (recordedUs + rules.longestSpanUs() <= row.nowUs()) {
            return -1;
        }
        int i = Arrays.binarySearch(row.sentUs(), recordedUs);
        if (i >= 0) {
            return i;
        }
        int after = -i - 1;
        return after < row.sentUs().length ? after : -1;
    }

    /** Drops entries no window counts any more. */
    private static BudgetRow forget(BudgetRow row, long longestSpanUs) {
        long[] times = row.sentUs();
        int keepFrom = 0;
        while (keepFrom < times.length && times[keepFrom] + longestSpanUs <= row.nowUs()) {
            keepFrom++;
        }
        if (keepFrom == 0) {
            return row;
        }
        return row.withLedger(
                Arrays.copyOfRange(times, keepFrom, times.length),
                Arrays.copyOfRange(row.sentCounts(), keepFrom, times.length),
                Arrays.copyOfRange(row.sentTokens(), keepFrom, times.length));
    }

    /**
     * Merges neighbouring entries that fall in the same slice of time, the slices being the resolution of the
     * shortest window whose span still counts them (see the class comment) and fixed on the clock, so an entry never
     * drifts by more than one slice however often the ledger is compacted; the merged entry keeps the latest time.
     */
    static BudgetRow compact(BudgetRow row, Rules rules, long nowUs) {
        long[] times = row.sentUs();
        if (times.length < 2) {
            return row;
        }
        long[] spans = rules.limits().stream().mapToLong(rules::spanUs).sorted().toArray();
        long[] outTimes = new long[times.length];
        int[] outCounts = new int[times.length];
        long[] outTokens = new long[times.length];
        int n = 0;
        long lastSlice = Long.MIN_VALUE;
        long lastWidth = 0;
        for (int i = 0; i < times.length; i++) {
            long width = Math.max(1, resolution(spans, nowUs - times[i]));
            long slice = Math.floorDiv(times[i], width);
            if (n > 0 && width == lastWidth && slice == lastSlice) {
                outTimes[n - 1] = times[i];
                outCounts[n - 1] += row.sentCounts()[i];
                outTokens[n - 1] += row.sentTokens()[i];
            } else {
                outTimes[n] = times[i];
                outCounts[n] = row.sentCounts()[i];
                outTokens[n] = row.sentTokens()[i];
                n++;
            }
            lastSlice = slice;
            lastWidth = width;
        }
        if (n == times.length) {
            return row;
        }
        return row.withLedger(Arrays.copyOf(outTimes, n), Arrays.copyOf(outCounts, n), Arrays.copyOf(outTokens, n));
    }

    /** The merge distance for an entry of age {@code ageUs}: the shortest span still counting it, over the resolution. */
    private static long resolution(long[] sortedSpans, long ageUs) {
        for (long span : sortedSpans) {
            if (ageUs < span) {
                return span / RESOLUTION;
            }
        }
        return sortedSpans[sortedSpans.length - 1] / RESOLUTION;
    }

    private static long lastTime(BudgetRow row) {
        return row.sentUs().length == 0 ? 0 : row.sentUs()[row.sentUs().length - 1];
    }

    /** Appends an entry later than every other. */
    private static BudgetRow append(BudgetRow row, long time, int count, long tokens) {
        int n = row.sentUs().length;
        long[] times = Arrays.copyOf(row.sentUs(), n + 1);
        int[] counts = Arrays.copyOf(row.sentCounts(), n + 1);
        long[] spent = Arrays.copyOf(row.sentTokens(), n + 1);
        times[n] = time;
        counts[n] = count;
        spent[n] = tokens;
        return row.withLedger(times, counts, spent);
    }

    /** Inserts an entry at its place in time (its time is not in the ledger). */
    private static BudgetRow insert(BudgetRow row, long time, int count, long tokens) {
        int at = -Arrays.binarySearch(row.sentUs(), time) - 1;
        int n = row.sentUs().length;
        long[] times = new long[n + 1];
        int[] counts = new int[n + 1];
        long[] spent = new long[n + 1];
        System.arraycopy(row.sentUs(), 0, times, 0, at);
        System.arraycopy(row.sentCounts(), 0, counts, 0, at);
        System.arraycopy(row.sentTokens(), 0, spent, 0, at);
        times[at] = time;
        counts[at] = count;
        spent[at] = tokens;
        System.arraycopy(row.sentUs(), at, times, at + 1, n - at);
        System.arraycopy(row.sentCounts(), at, counts, at + 1, n - at);
        System.arraycopy(row.sentTokens(), at, spent, at + 1, n - at);
        return row.withLedger(times, counts, spent);
    }

    /** Removes entry {@code i}. */
    private static BudgetRow remove(BudgetRow row, int i) {
        int n = row.sentUs().length;
        long[] times = new long[n - 1];
        int[] counts = new int[n - 1];
        long[] spent = new long[n - 1];
        System.arraycopy(row.sentUs(), 0, times, 0, i);
        System.arraycopy(row.sentCounts(), 0, counts, 0, i);
        System.arraycopy(row.sentTokens(), 0, spent, 0, i);
        System.arraycopy(row.sentUs(), i + 1, times, i, n - i - 1);
        System.arraycopy(row.sentCounts(), i + 1, counts, i, n - i - 1);
        System.arraycopy(row.sentTokens(), i + 1, spent, i, n - i - 1);
        return row.withLedger(times, counts, spent);
    }

    private static long[] appendSorted(long[] values, long value) {
        long[] out = Arrays.copyOf(values, values.length + 1);
        out[values.length] = value;
        Arrays.sort(out);
        return out;
    }

    /** Removes one occurrence of {@code value}. */
    private static long[] removeValue(long[] values, long value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                long[] out = new long[values.length - 1];
                System.arraycopy(values, 0, out, 0, i);
                System.arraycopy(values, i + 1, out, i, values.length - i - 1);
                return out;
            }
        }
        return values;
    }
}
