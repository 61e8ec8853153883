package dev.sluice.simulator.limit;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The provider's limiter, per (API key, model): a request window ({@code SIMULATOR_LIMIT}), an optional
 * second request window ({@code SIMULATOR_EXTRA_LIMIT}, e.g. per day) and an optional token budget
 * ({@code SIMULATOR_TPM}), all enforced together. A request counts in each when it arrives; its tokens are
 * charged OpenAI's way, prompt plus the completion tokens it asks for, and {@link #settle corrected} to its
 * actual usage when it is answered. A rejected request is charged nothing.
 *
 * <p>Thread-safe: one lock per (key, model), so different keys and models never contend.
 */
public final class RateLimiter {

    private record BucketKey(String apiKey, String model) {}

    /** The windows in force, each unlimited when off, and how they count. */
    public record Policy(Limit requests, Limit extra, TokenLimit tokens, WindowKind kind) {

        /** Only a request window. */
        public Policy(Limit requests, WindowKind kind) {
            this(requests, Limit.unlimited(), TokenLimit.unlimited(), kind);
        }

        boolean unmetered() {
            return requests.isUnlimited() && extra.isUnlimited() && tokens.isUnlimited();
        }

        Budgets newBudgets() {
            return new Budgets(
                    requests.isUnlimited() ? null : Window.of(kind, requests.requests(), requests.window()),
                    extra.isUnlimited() ? null : Window.of(kind, extra.requests(), extra.window()),
                    tokens.isUnlimited() ? null : Window.of(kind, tokens.tokens(), tokens.window()));
        }
    }

    private record State(Policy policy, ConcurrentHashMap<BucketKey, Budgets> buckets) {}

    private final InstantSource clock;
    private volatile State state;

    /** A limiter reading arrival times from {@code clock} (tests pass a settable one). */
    public RateLimiter(Policy policy, InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.state = new State(policy, new ConcurrentHashMap<>());
    }

    /** A limiter with only a request window. */
    public RateLimiter(Limit limit, WindowKind kind, InstantSource clock) {
        this(new Policy(limit, kind), clock);
    }

    /** Counts one request for {@code apiKey} and {@code model} arriving now, asking for no tokens. */
    public Admission admit(String apiKey, String model) {
        return admit(apiKey, model, clock.instant(), 0);
    }

    /**
     * Counts one request that arrived at {@code arrivedAt} asking for {@code tokens} (prompt plus
     * {@code max_tokens}), or rejects it. The handler notes the instant a request reaches it, before reading
     * and parsing its body: a provider counts a request at its edge, and on a busy machine parsing can take
     * longer than a client's safety margin.
     */
    public Admission admit(String apiKey, String model, Instant arrivedAt, long tokens) {
        State s = state;
        if (s.policy().unmetered()) {
            return new Admission.Unmetered(arrivedAt);
        }
        Budgets budgets = s.buckets()
                .computeIfAbsent(new BucketKey(apiKey, model), k -> s.policy().newBudgets());
        return budgets.admit(arrivedAt, tokens);
    }

    /**
     * Corrects the tokens charged on arrival to {@code actualTokens}, the usage the answer reports: a refund
     * when it used less than it asked for, an extra charge when more. A charge that has left its window (or
     * a budget replaced by {@link #configure}) counts nothing any more. Does nothing without a token budget.
     */
    public void settle(Admission admission, long actualTokens) {
        if (admission instanceof Admission.Admitted a && a.charge() != null) {
            a.charge().correct(actualTokens);
        }
    }

    /**
     * Applies a new policy. A change starts every budget afresh, because counts taken under other windows
     * mean nothing under the new ones; an unchanged policy keeps its state.
     */
    public synchronized void configure(Policy policy) {
        if (!state.policy().equals(policy)) {
            state = new State(policy, new ConcurrentHashMap<>());
        }
    }

    /** Only a request window. */
    public void configure(Limit limit, WindowKind kind) {
        configure(new Policy(limit, kind));
    }

    /** Forgets every budget, as if no request had arrived yet. */
    public synchronized void clear() {
        state = new State(state.policy(), new ConcurrentHashMap<>());
    }
}
