package dev.sluice.simulator.limit;

import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The provider's limiter: admits at most N requests per W per (API key, model), counting a request when it
 * arrives; rejected requests use no budget.
 *
 * <p>Thread-safe: one lock per (key, model), so different keys and models never contend.
 */
public final class RateLimiter {

    private record BucketKey(String apiKey, String model) {
    }

    private record Policy(Limit limit, WindowKind kind, ConcurrentHashMap<BucketKey, Bucket> buckets) {
    }

    private final InstantSource clock;
    private volatile Policy policy;

    /** A limiter reading arrival times from {@code clock} (tests pass a settable one). */
    public RateLimiter(Limit limit, WindowKind kind, InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.policy = new Policy(limit, kind, new ConcurrentHashMap<>());
    }

    /** Counts one request for {@code apiKey} and {@code model} arriving now, or rejects it. */
    public Admission admit(String apiKey, String model) {
        return admit(apiKey, model, clock.instant());
    }

    /**
     * Counts one request that arrived at {@code arrivedAt}, or rejects it. The handler notes the instant
     * a request reaches it, before reading and parsing its body: a provider counts a request at its edge,
     * and on a busy machine parsing can take longer than a client's safety margin.
     */
    public Admission admit(String apiKey, String model, java.time.Instant arrivedAt) {
        Policy p = policy;
        if (p.limit().isUnlimited()) {
            return new Admission.Unmetered(arrivedAt);
        }
        Bucket bucket = p.buckets().computeIfAbsent(new BucketKey(apiKey, model),
                k -> p.kind() == WindowKind.SLIDING ? new SlidingBucket() : new FixedBucket());
        return bucket.admit(() -> arrivedAt, p.limit());
    }

    /**
     * Applies a new limit or window kind. A change starts every budget afresh, because counts taken under
     * another N or W mean nothing under the new one; an unchanged policy keeps its state.
     */
    public synchronized void configure(Limit limit, WindowKind kind) {
        Policy p = policy;
        if (!p.limit().equals(limit) || p.kind() != kind) {
            policy = new Policy(limit, kind, new ConcurrentHashMap<>());
        }
    }

    /** Forgets every budget, as if no request had arrived yet. */
    public synchronized void clear() {
        Policy p = policy;
        policy = new Policy(p.limit(), p.kind(), new ConcurrentHashMap<>());
    }
}
