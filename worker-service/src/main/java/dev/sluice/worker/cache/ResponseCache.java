package dev.sluice.worker.cache;

import dev.sluice.db.cache.CacheKey;
import dev.sluice.db.cache.CachedResponse;
import dev.sluice.db.cache.ResponseCacheRepository;
import dev.sluice.db.job.ClaimedJob;
import dev.sluice.db.job.Outcome;
import dev.sluice.worker.WorkerProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The workers' side of the response cache. A claimed batch job whose request is deterministic is answered
 * from the tenant's cache when an unexpired answer is there, before any provider call (its pacer grant is
 * given back unused), so a re-run batch costs nothing for lines already answered. Every deterministic success
 * is kept, whoever asked. Facade calls are looked up by the api before they become jobs, where
 * {@code Cache-Control: no-cache} can bypass the cache; single jobs of {@code POST /v1/jobs} are not looked up.
 * A cache that fails (database hiccup) never fails a job: the job goes to the provider.
 */
@Component
public class ResponseCache {

    private static final Logger log = LoggerFactory.getLogger(ResponseCache.class);

    private final ResponseCacheRepository cache;
    private final InstantSource clock;
    private final boolean enabled;
    private final Duration ttl;
    private final MeterRegistry meters;

    ResponseCache(
            ResponseCacheRepository cache, InstantSource clock, WorkerProperties properties, MeterRegistry meters) {
        this.cache = cache;
        this.clock = clock;
        this.enabled = properties.cache().enabled();
        this.ttl = properties.cache().ttl();
        this.meters = meters;
    }

    /**
     * The cached outcome for a claimed batch job, if any; the job then needs no provider call. The outcome is
     * marked {@link Outcome#cached()}, which its finish stores.
     */
    public Optional<Outcome> lookup(ClaimedJob job) {
        if (!enabled || job.batchId() == null) {
            return Optional.empty();
        }
        try {
            Optional<byte[]> key = CacheKey.of(job.url(), job.body());
            Optional<CachedResponse> found = key.flatMap(k -> cache.find(job.tenantId(), k, clock.instant()));
            if (key.isPresent()) {
                count(found.isPresent() ? "sluice.cache.hits" : "sluice.cache.misses", job.model());
            }
            return found.map(hit -> new Outcome(
                    hit.responseStatus(),
                    hit.responseBody(),
                    null,
                    null,
                    hit.promptTokens(),
                    hit.completionTokens(),
                    hit.totalTokens(),
                    0,
                    true));
        } catch (RuntimeException e) {
            log.warn("Response cache lookup for job {} failed; calling the provider: {}", job.id(), e.toString());
            return Optional.empty();
        }
    }

    /** One lookup of a deterministic batch job; jobs without a cache key are neither hits nor misses. */
    private void count(String name, String model) {
        Counter.builder(name)
                .description("Response cache lookups by result, source and model")
                .tag("source", "worker")
                .tag("model", model)
                .register(meters)
                .increment();
    }

    /** Keeps a successful answer when the job's request is deterministic. */
    public void store(ClaimedJob job, Outcome success) {
        if (!enabled || success.responseStatus() == null || success.responseStatus() / 100 != 2) {
            return;
        }
        try {
            Optional<byte[]> key = CacheKey.of(job.url(), job.body());
            if (key.isPresent()) {
                Instant now = clock.instant();
                cache.put(
                        job.tenantId(),
                        key.get(),
                        job.url(),
                        new CachedResponse(
                                success.responseStatus(),
                                success.responseBody(),
                                success.promptTokens(),
                                success.completionTokens(),
                                success.totalTokens()),
                        now,
                        now.plus(ttl));
            }
        } catch (RuntimeException e) {
            log.warn("Keeping job {}'s answer in the response cache failed: {}", job.id(), e.toString());
        }
    }
}
