package dev.sluice.simulator.stats;

import dev.sluice.simulator.limit.RateLimiter;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts every request by model and API key, for {@code GET /__stats}. Thread-safe. */
public final class StatsRecorder {

    /** Everything counted since one start or reset; a reset swaps in a new one. */
    private static final class Epoch {
        final Instant since;
        final Counters total = new Counters();
        final ConcurrentHashMap<String, Counters> models = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, ConcurrentHashMap<String, Counters>> keys = new ConcurrentHashMap<>();
        final LongAdder unauthorized = new LongAdder();
        final LongAdder invalidRequest = new LongAdder();
        final LongAdder notFound = new LongAdder();

        Epoch(Instant since) {
            this.since = since;
        }
    }

    private final InstantSource clock;
    private volatile Epoch epoch;

    /** Stamps {@code since} from {@code clock}. */
    public StatsRecorder(InstantSource clock) {
        this.clock = clock;
        this.epoch = new Epoch(clock.instant());
    }

    /** A valid request for {@code model} under {@code apiKey} is now in flight. */
    public RequestTracker begin(String apiKey, String model) {
        Epoch e = epoch;
        Counters byModel = e.models.computeIfAbsent(model, m -> new Counters());
        Counters byKey = e.keys.computeIfAbsent(apiKey, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(model, m -> new Counters());
        Instant now = clock.instant();
        byModel.arrived(now);
        byKey.arrived(now);
        return new RequestTracker(e.total, byModel, byKey);
    }

    /** Answered 401. */
    public void unauthorized() {
        epoch.unauthorized.increment();
    }

    /** Answered 400 or 405, or 404 for an unknown model id. */
    public void invalidRequest() {
        epoch.invalidRequest.increment();
    }

    /** Answered 404 for a path. */
    public void notFound() {
        epoch.notFound.increment();
    }

    /** Forgets everything; requests still in flight finish on the old counters. */
    public void clear() {
        epoch = new Epoch(clock.instant());
    }

    /** A snapshot; window maxima use the W of each window in {@code limits}. */
    public SimulatorStats snapshot(RateLimiter.Policy limits) {
        Epoch e = epoch;
        Map<String, ModelStats> models = new TreeMap<>();
        e.models.forEach((model, c) -> models.put(model, c.snapshot(limits)));
        Map<String, Map<String, ModelStats>> keys = new TreeMap<>();
        e.keys.forEach((key, byModel) -> {
            Map<String, ModelStats> m = new TreeMap<>();
            byModel.forEach((model, c) -> m.put(model, c.snapshot(limits)));
            keys.put(key, m);
        });
        Counters t = e.total;
        Totals totals = new Totals(
                t.requests.sum(),
                t.accepted.sum(),
                t.answered.sum(),
                t.rateLimited.sum(),
                t.errorCounts(),
                e.unauthorized.sum(),
                e.invalidRequest.sum(),
                e.notFound.sum(),
                t.inFlight.get(),
                t.maxConcurrency.get(),
                t.rateLimitedTokens.sum(),
                t.tokensCharged.sum(),
                t.tokensUsed.sum());
        return new SimulatorStats(
                e.since,
                limits.requests().toString(),
                limits.kind().text(),
                totals,
                models,
                keys,
                limits.extra().toString(),
                limits.tokens().toString());
    }
}
