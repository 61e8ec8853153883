package dev.sluice.worker;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Every setting of the worker, bound from {@code sluice.*} (environment: {@code SLUICE_*}) and checked
 * when it is bound, so that a bad value stops the worker at start with a message naming the property. The
 * settings the api-service shares ({@code SLUICE_DEFAULT_LIMIT}, {@code sluice.secrets.*}) are in
 * {@code dev.sluice.db.SharedProperties}.
 *
 * @param upstream     the provider the worker calls
 * @param pacing       how dispatches are spaced
 * @param lease        how long a claim on a job holds
 * @param retry        how failed attempts are retried
 * @param intake       how model queues are found
 * @param finalization how finished batches are swept up
 * @param rescue       how jobs of dead workers are found
 * @param webhook      how webhook events are made and delivered
 * @param operations   how the queue gauges and the worker's heartbeat are refreshed
 * @param alerts       the optional alert webhook Sluice sends itself
 * @param cache        the response cache batch jobs are served from and every deterministic success is kept in
 * @param database     the database connection pool, which bounds how many jobs the worker runs at once
 */
@ConfigurationProperties("sluice")
public record WorkerProperties(
        @DefaultValue Upstream upstream,
        @DefaultValue Pacing pacing,
        @DefaultValue Lease lease,
        @DefaultValue Retry retry,
        @DefaultValue Intake intake,
        @DefaultValue Finalization finalization,
        @DefaultValue Rescue rescue,
        @DefaultValue Webhook webhook,
        @DefaultValue Operations operations,
        @DefaultValue Alerts alerts,
        @DefaultValue Cache cache,
        @DefaultValue Database database) {

    public WorkerProperties {
        cache = cache == null ? new Cache(true, Duration.ofHours(24)) : cache;
        database = database == null ? new Database(24, 6) : database;
        Duration longestCall = upstream.readTimeout().plus(upstream.connectTimeout());
        if (lease.duration().compareTo(longestCall) <= 0) {
            throw new IllegalArgumentException("sluice.lease.duration (" + lease.duration()
                    + ") must be longer than one upstream call (connect-timeout + read-timeout = " + longestCall
                    + "), or a slow call's job would be rescued and run twice");
        }
    }

    /**
     * The provider.
     *
     * @param baseUrl        {@code SLUICE_UPSTREAM_BASE_URL}: scheme, host and port of the OpenAI-compatible
     *                       provider, without {@code /v1} (job urls carry it)
     * @param apiKey         {@code SLUICE_UPSTREAM_API_KEY}: the bearer key sent to the provider; never logged
     * @param apiKeys        {@code SLUICE_UPSTREAM_API_KEYS}: several keys, comma-separated, used instead of
     *                       {@code api-key} when set; never logged
     * @param connectTimeout how long to wait for a TCP connection
     * @param readTimeout    how long one attempt may take, from sending to the whole answer
     * @param streaming      {@code SLUICE_UPSTREAM_STREAMING} (default false): relay a facade caller's
     *                       {@code stream: true} as the provider streams it; false calls the provider without
     *                       streaming and the api sends the whole answer as chunks (the seed provider's streams
     *                       break). A broken stream falls back to a non-streaming retry either way
     * @param maxResponseSize {@code SLUICE_UPSTREAM_MAX_RESPONSE_SIZE} (default {@code 16MB}, i.e. 16 MiB): the
     *                       largest answer the worker reads, streamed or not; a larger one is dropped unread and
     *                       its job fails at once with {@code response_too_large} (docs/reliability.md), so one
     *                       huge answer cannot exhaust the worker's heap
     */
    public record Upstream(
            @DefaultValue("http://localhost:3010") URI baseUrl,
            @DefaultValue("sk-local") String apiKey,
            @DefaultValue List<String> apiKeys,
            @DefaultValue("5s") Duration connectTimeout,
            @DefaultValue("120s") Duration readTimeout,
            @DefaultValue("false") boolean streaming,
            @DefaultValue("16MB") DataSize maxResponseSize) {

        public Upstream {
            Objects.requireNonNull(baseUrl, "sluice.upstream.base-url");
            if (!baseUrl.isAbsolute()
                    || !List.of("http", "https").contains(baseUrl.getScheme())
                    || baseUrl.getHost() == null) {
                throw new IllegalArgumentException(
                        "sluice.upstream.base-url must be an http(s) URL such as http://localhost:3010, got "
                                + baseUrl);
            }
            if (baseUrl.getPath() != null
                    && baseUrl.getPath().replaceAll("/+$", "").endsWith("/v1")) {
                throw new IllegalArgumentException(
                        "sluice.upstream.base-url is given without /v1 (job urls start " + "with /v1), got " + baseUrl);
            }
            apiKeys = apiKeys == null
                    ? List.of()
                    : apiKeys.stream()
                            .map(String::strip)
                            .filter(k -> !k.isEmpty())
                            .toList();
            if (apiKeys.isEmpty() && (apiKey == null || apiKey.isBlank())) {
                throw new IllegalArgumentException("sluice.upstream.api-key (or api-keys) must be set");
            }
            requirePositive(connectTimeout, "sluice.upstream.connect-timeout");
            requirePositive(readTimeout, "sluice.upstream.read-timeout");
            Objects.requireNonNull(maxResponseSize, "sluice.upstream.max-response-size");
            if (maxResponseSize.toBytes() < 1 || maxResponseSize.toBytes() > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(
                        "sluice.upstream.max-response-size must be between 1B and 2047MB, " + "got " + maxResponseSize);
            }
        }

        /** The keys to use: {@code api-keys} when given, otherwise {@code api-key} alone. */
        public List<String> keys() {
            return apiKeys.isEmpty() ? List.of(apiKey.strip()) : apiKeys;
        }

        /** The base URL without a trailing slash, ready to have a job's path appended. */
        public String baseUrlText() {
            return baseUrl.toString().replaceAll("/+$", "");
        }

        @Override
        public String toString() {
            // Keys never reach a log, whatever prints this record.
            return "Upstream[baseUrl=" + baseUrl + ", apiKey=***, apiKeys=" + apiKeys.size() + " key(s)"
                    + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + ", streaming=" + streaming
                    + ", maxResponseSize=" + maxResponseSize + "]";
        }
    }

    /**
     * Pacing.
     *
     * @param safetyMargin   added to every window: the provider counts a request when it arrives, so a request
     *                       sent exactly one window after the one it replaces can still land inside that window.
     *                       It covers the way to the provider of a request that left on time (docs/pacing.md, "the
     *                       margin": on loopback 100 ms lost none and 50 ms lost one); a request that leaves late
     *                       is charged its own lateness on top, and a 429 widens it
     * @param maxConcurrency the most jobs of one model a worker has in flight at once; the global cap per key
     *                       admits fewer per window)
     * @param lookahead      how long before a full window frees room a worker reserves that room and takes and
     *                       claims the jobs for it, so they leave together the moment it opens (docs/pacing.md,
     *                       "grants in advance"); 0 takes them only once the room is open
     */
    public record Pacing(
            @DefaultValue("100ms") Duration safetyMargin,
            @DefaultValue("64") int maxConcurrency,
            @DefaultValue("200ms") Duration lookahead) {

        public Pacing {
            Objects.requireNonNull(safetyMargin, "sluice.pacing.safety-margin");
            if (safetyMargin.isNegative()) {
                throw new IllegalArgumentException(
                        "sluice.pacing.safety-margin must not be negative, got " + safetyMargin);
            }
            Objects.requireNonNull(lookahead, "sluice.pacing.lookahead");
            if (lookahead.isNegative() || lookahead.compareTo(Duration.ofSeconds(5)) > 0) {
                throw new IllegalArgumentException(
                        "sluice.pacing.lookahead must be between 0 and 5s, got " + lookahead);
            }
            if (maxConcurrency < 1) {
                throw new IllegalArgumentException(
                        "sluice.pacing.max-concurrency must be at least 1, got " + maxConcurrency);
            }
        }
    }

    /**
     * Leases.
     *
     * @param duration how long a claim holds before the rescuer may give the job to another worker; covers the
     *                 wait for a pacing slot (up to about two windows, one of them a 429 pause) and one upstream
     *                 call, since leases are not renewed yet
     */
    public record Lease(@DefaultValue("5m") Duration duration) {

        public Lease {
            requirePositive(duration, "sluice.lease.duration");
        }
    }

    /**
     * Retries of transient failures (5xx, timeouts, resets, malformed answers). A 429 is not an attempt that
     * failed and is not counted here.
     *
     * @param maxAttempts    upstream calls a job gets before it fails for good
     * @param initialBackoff the wait before the second attempt; doubled for each further one, with jitter
     * @param maxBackoff     the longest wait between two attempts
     */
    public record Retry(
            @DefaultValue("5") int maxAttempts,
            @DefaultValue("1s") Duration initialBackoff,
            @DefaultValue("60s") Duration maxBackoff) {

        public Retry {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("sluice.retry.max-attempts must be at least 1, got " + maxAttempts);
            }
            requirePositive(initialBackoff, "sluice.retry.initial-backoff");
            requirePositive(maxBackoff, "sluice.retry.max-backoff");
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("sluice.retry.max-backoff (" + maxBackoff
                        + ") must not be shorter than sluice.retry.initial-backoff (" + initialBackoff + ")");
            }
        }
    }

    /**
     * Model discovery, each model's dispatcher, and how much work the worker takes.
     *
     * @param discoveryInterval how often the intake's pass looks for models with a lane waiting (which the lane bell
     *                          rings at once anyway) and refreshes the models' settings, while it finds work or the
     *                          worker's listening connection is down
     * @param quietInterval     how often that pass runs while it finds no work and the connection listens: only a
     *                          safety net, since lanes that enter and changed settings are announced (V25, V27); it
     *                          also bounds how late after {@code idleRelease} an idle dispatcher is released
     * @param idleRelease       {@code SLUICE_INTAKE_IDLE_RELEASE} (default 5m): a model's dispatcher that has started no
     *                          job for this long, has none in flight and whose model has no due queued job is stopped,
     *                          and its broker channel closed; it starts again within {@code discoveryInterval} once
     *                          the model has a due job (docs/architecture.md, "Dispatchers")
     * @param maxInFlight       {@code SLUICE_INTAKE_MAX_IN_FLIGHT} (default 128): the most jobs this worker runs at
     *                          once, all models together (each model also at most {@code sluice.pacing
     *                          .max-concurrency}): its calls to the provider at once. A job holds a database
     *                          connection only while it is claimed or its outcome stored, so this is not bound by the
     *                          pool; {@link Database#jobConnections()} bounds the jobs at the database at once
     */
    public record Intake(
            @DefaultValue("1s") Duration discoveryInterval,
            @DefaultValue("30s") Duration quietInterval,
            @DefaultValue("5m") Duration idleRelease,
            @DefaultValue("128") int maxInFlight) {

        public Intake {
            requirePositive(discoveryInterval, "sluice.intake.discovery-interval");
            requirePositive(quietInterval, "sluice.intake.quiet-interval");
            requirePositive(idleRelease, "sluice.intake.idle-release");
            if (maxInFlight < 1) {
                throw new IllegalArgumentException(
                        "sluice.intake.max-in-flight must be at least 1, got " + maxInFlight);
            }
        }
    }

    /**
     * The finalisation sweep, which catches batches whose last job's worker did not finalise them.
     *
     * @param interval   how often the sweep runs
     * @param staleAfter how long a batch may sit in {@code finalizing} before the sweep assumes its finaliser
     *                   died and finishes the job
     * @param batchSize  batches looked at per sweep
     */
    public record Finalization(
            @DefaultValue("5s") Duration interval,
            @DefaultValue("60s") Duration staleAfter,
            @DefaultValue("100") int batchSize) {

        public Finalization {
            requirePositive(interval, "sluice.finalization.interval");
            requirePositive(staleAfter, "sluice.finalization.stale-after");
            if (batchSize < 1) {
                throw new IllegalArgumentException(
                        "sluice.finalization.batch-size must be at least 1, got " + batchSize);
            }
        }
    }

    /**
     * The lease rescuer.
     *
     * @param interval  how often expired leases are looked for
     * @param batchSize jobs re-queued per run at most
     */
    public record Rescue(
            @DefaultValue("5s") Duration interval,
            @DefaultValue("500") int batchSize) {

        public Rescue {
            requirePositive(interval, "sluice.rescue.interval");
            if (batchSize < 1) {
                throw new IllegalArgumentException("sluice.rescue.batch-size must be at least 1, got " + batchSize);
            }
        }
    }

    /**
     * Webhook delivery (docs/webhooks.md).
     *
     * @param allowPrivate  {@code SLUICE_WEBHOOK_ALLOW_PRIVATE}: allow targets on loopback, private and link-local
     *                      addresses (local use and tests); cloud metadata addresses stay refused
     * @param timeout       how long one attempt may take in all, connecting included; redirects are not followed
     * @param retrySchedule the waits before the second, third, ... attempt, each with up to {@code jitter} added or
     *                      taken off; after the last the event is failed (default about 27.5 h in all)
     * @param jitter        the fraction of each wait that is random, 0 to 1
     * @param interval      how often finished batches and jobs are swept for new events and due events are claimed
     *                      while the worker's listening connection is down
     * @param safetyInterval how often they run while it listens without having heard of work: PostgreSQL announces
     *                      every finished subject and every event that comes due (V28), and the delivery wakes by
     *                      itself at the next due time it read, so this is only a safety net
     * @param batchSize     events created per sweep at most
     * @param maxInFlight   {@code SLUICE_WEBHOOK_MAX_IN_FLIGHT}: delivery attempts this worker runs at once, all
     *                      tenants together; each runs on its own, so a slow one holds only its own slot
     * @param maxInFlightPerTenant {@code SLUICE_WEBHOOK_MAX_IN_FLIGHT_PER_TENANT}: of those, the most one tenant's
     *                      events may hold, so a receiver that hangs delays only its own tenant's deliveries
     */
    public record Webhook(
            @DefaultValue("false") boolean allowPrivate,
            @DefaultValue("15s") Duration timeout,

            @DefaultValue({"5s", "5m", "30m", "2h", "5h", "10h", "10h"})
            List<Duration> retrySchedule,

            @DefaultValue("0.2") double jitter,
            @DefaultValue("1s") Duration interval,
            @DefaultValue("60s") Duration safetyInterval,
            @DefaultValue("50") int batchSize,
            @DefaultValue("50") int maxInFlight,
            @DefaultValue("5") int maxInFlightPerTenant,
            @DefaultValue("true") boolean listen) {

        public Webhook {
            requirePositive(timeout, "sluice.webhook.timeout");
            requirePositive(interval, "sluice.webhook.interval");
            requirePositive(safetyInterval, "sluice.webhook.safety-interval");
            retrySchedule = retrySchedule == null ? List.of() : List.copyOf(retrySchedule);
            retrySchedule.forEach(wait -> requirePositive(wait, "sluice.webhook.retry-schedule"));
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("sluice.webhook.jitter must be between 0 and 1, got " + jitter);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("sluice.webhook.batch-size must be at least 1, got " + batchSize);
            }
            if (maxInFlight < 1) {
                throw new IllegalArgumentException(
                        "sluice.webhook.max-in-flight must be at least 1, got " + maxInFlight);
            }
            if (maxInFlightPerTenant < 1 || maxInFlightPerTenant > maxInFlight) {
                throw new IllegalArgumentException("sluice.webhook.max-in-flight-per-tenant must be between 1 and "
                        + "sluice.webhook.max-in-flight (" + maxInFlight + "), got " + maxInFlightPerTenant);
            }
        }
    }

    /**
     * The operations loop: queue gauges read from PostgreSQL and this worker's heartbeat.
     *
     * @param refreshInterval how often the gauges are refreshed and the heartbeat written; at most 10 s, since
     *                        a worker silent for 30 s no longer counts as a consumer of its models
     */
    public record Operations(@DefaultValue("10s") Duration refreshInterval) {

        public Operations {
            requirePositive(refreshInterval, "sluice.operations.refresh-interval");
            if (refreshInterval.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("sluice.operations.refresh-interval must be at most 10s (a worker "
                        + "silent for 30s stops counting as a consumer), got " + refreshInterval);
            }
        }
    }

    /**
     * The alert webhook, for teams without Prometheus: a Slack-compatible {@code {"text": ...}} POST when a
     * model's oldest waiting job gets older than {@code backlogAge}, and another when it no longer is.
     *
     * @param webhookUrl {@code SLUICE_ALERTS_WEBHOOK_URL}: where to POST; unset (the default) turns the
     *                   alerts off. It may hold a secret token (Slack's do), so it is never logged
     * @param backlogAge how old the oldest waiting job of a model may get before the alert fires
     * @param interval   how often the alert is evaluated (by one worker at a time)
     */
    public record Alerts(
            URI webhookUrl,
            @DefaultValue("15m") Duration backlogAge,
            @DefaultValue("30s") Duration interval) {

        public Alerts {
            if (webhookUrl != null && webhookUrl.toString().isBlank()) {
                // SLUICE_ALERTS_WEBHOOK_URL= (set but empty, as docker compose passes it) means "off".
                webhookUrl = null;
            }
            if (webhookUrl != null
                    && (!webhookUrl.isAbsolute()
                            || !List.of("http", "https").contains(webhookUrl.getScheme())
                            || webhookUrl.getHost() == null)) {
                throw new IllegalArgumentException("sluice.alerts.webhook-url must be an http(s) URL");
            }
            requirePositive(backlogAge, "sluice.alerts.backlog-age");
            requirePositive(interval, "sluice.alerts.interval");
        }

        /** Whether a webhook is configured. */
        public boolean enabled() {
            return webhookUrl != null;
        }

        @Override
        public String toString() {
            return "Alerts[webhookUrl=" + (webhookUrl == null ? "unset" : "***") + ", backlogAge=" + backlogAge
                    + ", interval=" + interval + "]";
        }
    }

    /**
     * The response cache (see docs/facade.md): answers to deterministic requests (embeddings; chat and
     * completions with {@code temperature} 0 or a {@code seed}), per tenant.
     *
     * @param enabled {@code SLUICE_CACHE_ENABLED} (default true): batch jobs are answered from the cache
     *                without a provider call, and deterministic successes are kept
     * @param ttl     {@code SLUICE_CACHE_TTL} (default 24h): how long a kept answer is served
     */
    public record Cache(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("24h") Duration ttl) {

        public Cache {
            requirePositive(ttl, "sluice.cache.ttl");
        }
    }

    /**
     * The database connection pool. A job uses at most one connection at a time, and only while it is at the
     * database (its claim, its outcome, its pacer updates), not while it waits for its slot or for the provider; the
     * jobs at the database at once are capped at the connections left for jobs, so they queue for a turn in the
     * worker rather than for a connection in the pool, and no job waits past the pool's timeout however many are in
     * flight. {@code spring.datasource.hikari.maximum-pool-size} is set from {@code pool-size}, and checked against
     * it at start.
     *
     * @param poolSize            {@code SLUICE_DATABASE_POOL_SIZE} (default 24): the most connections the worker
     *                            opens to PostgreSQL
     * @param reservedConnections {@code SLUICE_DATABASE_RESERVED_CONNECTIONS} (default 6): of those, the ones kept for
     *                            everything but jobs — the dispatchers' takes (at most two at once), model discovery,
     *                            the finalisation, rescue and webhook loops, webhook delivery records, the operations
     *                            loop — and for the record of a job's late send time, which runs beside the job
     */
    public record Database(
            @DefaultValue("24") int poolSize,
            @DefaultValue("6") int reservedConnections) {

        public Database {
            if (poolSize < 2) {
                throw new IllegalArgumentException("sluice.database.pool-size must be at least 2, got " + poolSize);
            }
            if (reservedConnections < 1 || reservedConnections >= poolSize) {
                throw new IllegalArgumentException("sluice.database.reserved-connections must be at least 1 and "
                        + "less than sluice.database.pool-size (" + poolSize + "), got " + reservedConnections);
            }
        }

        /** The connections left for jobs: the most jobs at the database at once. */
        public int jobConnections() {
            return poolSize - reservedConnections;
        }
    }

    /** The most jobs this worker runs at once, all models together. */
    public int maxJobsInFlight() {
        return intake.maxInFlight();
    }

    private static void requirePositive(Duration value, String property) {
        Objects.requireNonNull(value, property);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(property + " must be positive, got " + value);
        }
    }
}
