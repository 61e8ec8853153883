package dev.sluice.api.facade;

import dev.sluice.api.ApiProperties;
import dev.sluice.db.cache.CacheKey;
import dev.sluice.db.cache.CachedResponse;
import dev.sluice.db.cache.ResponseCacheRepository;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.tenant.Tenant;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * The facade's side of the response cache. A deterministic call (see {@link CacheKey}) is answered from the
 * tenant's cache when an unexpired answer is there, with {@code x-sluice-cache: hit} and no job. Otherwise
 * identical calls of one tenant in flight on this instance share one job, hence one provider call
 * ({@code x-sluice-cache: shared} for all but the first); the worker keeps the answer for later calls.
 * {@code Cache-Control: no-cache} skips both ({@code x-sluice-cache: bypass}); its answer is still kept.
 */
@Component
class FacadeCache {

    static final String HEADER = "x-sluice-cache";

    /** One tenant's identical calls. */
    private record Flight(String tenantId, String key) {
    }

    private final Map<Flight, CompletableFuture<JobRow>> inFlight = new ConcurrentHashMap<>();
    private final ResponseCacheRepository cache;
    private final Clock clock;
    private final boolean enabled;
    private final MeterRegistry meters;

    FacadeCache(ResponseCacheRepository cache, Clock clock, ApiProperties properties, MeterRegistry meters) {
        this.cache = cache;
        this.clock = clock;
        this.enabled = properties.facade().cache();
        this.meters = meters;
    }

    /** The answer to {@code call}: from the cache, from an identical call in flight, or from {@code run}. */
    ResponseEntity<String> answer(Tenant tenant, FacadeCall call, boolean bypass, Duration wait,
            Supplier<JobRow> run) {
        Optional<byte[]> key = enabled ? CacheKey.of(call.endpoint().path(), call.body()) : Optional.empty();
        if (key.isEmpty()) {
            return FacadeResponses.of(run.get(), call);
        }
        if (bypass) {
            return withHeader(FacadeResponses.of(run.get(), call), "bypass");
        }
        Optional<CachedResponse> hit = cache.find(tenant.id(), key.get(), clock.instant());
        if (hit.isPresent()) {
            count("sluice.cache.hits", "facade", call);
            return FacadeResponses.render(hit.get().responseStatus(), hit.get().responseBody(), call,
                    ResponseEntity.status(hit.get().responseStatus()).header(HEADER, "hit"));
        }
        Flight flight = new Flight(tenant.id(), HexFormat.of().formatHex(key.get()));
        CompletableFuture<JobRow> mine = new CompletableFuture<>();
        CompletableFuture<JobRow> leader = inFlight.putIfAbsent(flight, mine);
        if (leader != null) {
            Optional<JobRow> job = follow(leader, wait);
            if (job.isPresent()) {
                count("sluice.cache.hits", "single_flight", call);
                return withHeader(FacadeResponses.of(job.get(), call), "shared");
            }
            count("sluice.cache.misses", "facade", call);
            return withHeader(FacadeResponses.of(run.get(), call), "miss");
        }
        count("sluice.cache.misses", "facade", call);
        try {
            JobRow job = run.get();
            mine.complete(job);
            return withHeader(FacadeResponses.of(job, call), "miss");
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(flight, mine);
        }
    }

    /**
     * One lookup, by model: a hit from the cache ({@code facade}), a hit by sharing an identical call's job
     * ({@code single_flight}), or a miss that runs a job. Bypassed and non-deterministic calls count nowhere.
     */
    private void count(String name, String source, FacadeCall call) {
        Counter.builder(name).description("Response cache lookups by result, source and model")
                .tag("source", source).tag("model", call.model()).register(meters).increment();
    }

    /** The leader's finished job; empty when the leader gave up or failed, so this call runs on its own. */
    private static Optional<JobRow> follow(CompletableFuture<JobRow> leader, Duration wait) {
        try {
            return Optional.of(leader.get(wait.toNanos(), TimeUnit.NANOSECONDS));
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static ResponseEntity<String> withHeader(ResponseEntity<String> response, String value) {
        return ResponseEntity.status(response.getStatusCode()).headers(headers -> {
            headers.addAll(response.getHeaders());
            headers.set(HEADER, value);
        }).body(response.getBody());
    }
}
