package dev.sluice.api.facade;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.metrics.ModelTags;
import dev.sluice.api.quota.QuotaLeases;
import dev.sluice.common.Ids;
import dev.sluice.db.cache.CacheKey;
import dev.sluice.db.cache.CachedResponse;
import dev.sluice.db.cache.ResponseCacheRepository;
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
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * The facade's side of the response cache. A deterministic call (see {@link CacheKey}) is answered from the
 * tenant's cache when an unexpired answer is there, with {@code x-sluice-cache: hit} and no job. Otherwise
 * identical calls of one tenant in flight on this instance share one job, hence one provider call
 * ({@code x-sluice-cache: shared} for all but the first); the worker keeps the answer for later calls.
 * {@code Cache-Control: no-cache} skips both ({@code x-sluice-cache: bypass}); its answer is still kept.
 * A sharing call has one deadline, its {@code wait}: it follows the first call's job until then, and answers
 * a 504 naming that job if it is not finished by then; only if the first call fails or gives up earlier does it
 * run a job of its own, for what is left of its wait.
 */
@Component
class FacadeCache {

    static final String HEADER = "x-sluice-cache";

    /** One tenant's identical calls. */
    private record Flight(String tenantId, String key) {}

    /** The first of identical calls: its job, and that job once finished. */
    private record Lead(String jobId, CompletableFuture<FinishedCall> finished) {}

    /** Submits a call as the job {@code jobId} and waits at most {@code wait} for it to finish. */
    @FunctionalInterface
    interface Run {
        FinishedCall run(String jobId, Duration wait);
    }

    private final Map<Flight, Lead> inFlight = new ConcurrentHashMap<>();
    private final ResponseCacheRepository cache;
    private final Clock clock;
    private final boolean enabled;
    private final MeterRegistry meters;
    private final ModelTags tags;

    FacadeCache(
            ResponseCacheRepository cache,
            Clock clock,
            ApiProperties properties,
            MeterRegistry meters,
            ModelTags tags) {
        this.tags = tags;
        this.cache = cache;
        this.clock = clock;
        this.enabled = properties.facade().cache();
        this.meters = meters;
    }

    /**
     * The answer to {@code call}: from the cache, from an identical call in flight, or from {@code run}. A call that
     * follows an identical call's job takes the place of {@code waiting} (the waiting-calls quota) first.
     */
    ResponseEntity<String> answer(
            Tenant tenant, FacadeCall call, boolean bypass, Duration wait, QuotaLeases.Lease waiting, Run run) {
        Optional<byte[]> key = enabled ? CacheKey.of(call.endpoint().path(), call.body()) : Optional.empty();
        if (key.isEmpty()) {
            return FacadeResponses.of(run.run(Ids.job(), wait), call);
        }
        if (bypass) {
            return withHeader(FacadeResponses.of(run.run(Ids.job(), wait), call), "bypass");
        }
        long deadline = System.nanoTime() + wait.toNanos();
        Optional<CachedResponse> hit = cache.find(tenant.id(), key.get(), clock.instant());
        if (hit.isPresent()) {
            count("sluice.cache.hits", "facade", call);
            return FacadeResponses.render(
                    hit.get().responseStatus(),
                    hit.get().responseBody(),
                    call,
                    ResponseEntity.status(hit.get().responseStatus()).header(HEADER, "hit"));
        }
        Flight flight = new Flight(tenant.id(), HexFormat.of().formatHex(key.get()));
        Lead mine = new Lead(Ids.job(), new CompletableFuture<>());
        Lead leader = inFlight.putIfAbsent(flight, mine);
        if (leader != null) {
            waiting.take();
            Optional<FinishedCall> job = follow(leader, wait, deadline);
            if (job.isPresent()) {
                count("sluice.cache.hits", "single_flight", call);
                return withHeader(FacadeResponses.of(job.get(), call), "shared");
            }
            count("sluice.cache.misses", "facade", call);
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.isNegative() || left.isZero()) {
                throw FacadeService.waitTimeout(leader.jobId(), wait, gaveUpOn(leader.jobId()));
            }
            return withHeader(FacadeResponses.of(run.run(Ids.job(), left), call), "miss");
        }
        count("sluice.cache.misses", "facade", call);
        try {
            FinishedCall job = run.run(mine.jobId(), wait);
            mine.finished().complete(job);
            return withHeader(FacadeResponses.of(job, call), "miss");
        } catch (RuntimeException e) {
            mine.finished().completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(flight, mine);
        }
    }

    private static String gaveUpOn(String jobId) {
        return "it is an identical call's job, still running; read its result at GET /v1/jobs/" + jobId;
    }

    /**
     * One lookup, by model: a hit from the cache ({@code facade}), a hit by sharing an identical call's job
     * ({@code single_flight}), or a miss that runs a job. Bypassed and non-deterministic calls count nowhere.
     */
    private void count(String name, String source, FacadeCall call) {
        Counter.builder(name)
                .description("Response cache lookups by result, source and model")
                .tag("source", source)
                .tag("model", tags.tag(call.model()))
                .register(meters)
                .increment();
    }

    /**
     * The leader's finished job; empty when the leader gave up or failed first, so this call runs on its own
     * for what is left of its wait. A 504 naming the leader's job when {@code deadline} comes first.
     */
    private static Optional<FinishedCall> follow(Lead leader, Duration wait, long deadline) {
        try {
            return Optional.of(leader.finished().get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS));
        } catch (ExecutionException e) {
            return Optional.empty();
        } catch (TimeoutException e) {
            throw FacadeService.waitTimeout(leader.jobId(), wait, gaveUpOn(leader.jobId()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw FacadeService.waitTimeout(leader.jobId(), wait, gaveUpOn(leader.jobId()));
        }
    }

    private static ResponseEntity<String> withHeader(ResponseEntity<String> response, String value) {
        return ResponseEntity.status(response.getStatusCode())
                .headers(headers -> {
                    headers.addAll(response.getHeaders());
                    headers.set(HEADER, value);
                })
                .body(response.getBody());
    }
}
