package dev.sluice.api;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Every setting of the api-service, bound from {@code sluice.*} (environment: {@code SLUICE_*}) and
 * checked when the service starts, so that a bad value stops it with a clear message instead of
 * surfacing on the first request. The settings the worker shares ({@code SLUICE_DEFAULT_LIMIT},
 * {@code sluice.secrets.*}) are in {@code dev.sluice.db.SharedProperties}.
 *
 * @param adminKey     bearer key for {@code /admin/**} and {@code /actuator/**} but health
 *                     ({@code SLUICE_ADMIN_KEY}), at least {@value #MIN_ADMIN_KEY_LENGTH} characters or the
 *                     service does not start; when absent the admin API is disabled and answers 403. Never logged.
 * @param input        how much a client may submit at once
 * @param dispatch     how jobs reach the broker
 * @param webhook      webhook targets and signing secrets
 * @param events       the live progress stream ({@code GET /v1/batches/{id}/events})
 * @param facade       the synchronous OpenAI facade ({@code POST /v1/chat/completions}, {@code GET /v1/models}, ...)
 * @param models       {@code SLUICE_MODELS}: models an operator allows in addition to those the provider lists at
 *                     {@code GET /v1/models}, comma-separated (default none); the way to use a provider without a
 *                     model list. Submissions naming any other model are refused with 400 {@code model_not_found}
 *                     (docs/contract.md, "Models")
 * @param quota        what each tenant may hold at once, unless {@code PATCH /admin/tenants/{id}} says otherwise
 * @param retention    how long finished work keeps its content ({@code SLUICE_RETENTION}, default 30d): a batch's
 *                     files and its jobs' request and response bodies, counted from the batch's end; a single job's
 *                     bodies, from its end; an upload's bytes, from its upload (as OpenAI's batch files expire 30
 *                     days after upload). {@code 0} keeps everything forever
 * @param retentionSweep how the retention sweep runs
 * @param batchPollStaleness {@code SLUICE_BATCH_POLL_STALENESS} (default 100ms, at most 5s): how old an answer to
 *                     {@code GET /v1/batches/{id}} may be when a replica serves it from the read it made for another
 *                     poll of the same batch ({@code BatchPolls}), or (up to twice as old) from the last read while the
 *                     next runs in the background; concurrent polls of a batch share one read either way. A change
 *                     this replica makes to the batch (cancel) is seen by its next poll at once; {@code 0} reads for
 *                     every poll that finds no read of the batch in flight
 */
@ConfigurationProperties("sluice")
public record ApiProperties(
        String adminKey,
        @DefaultValue Input input,
        @DefaultValue Dispatch dispatch,
        @DefaultValue Webhook webhook,
        @DefaultValue Events events,
        @DefaultValue Facade facade,
        @DefaultValue List<String> models,
        @DefaultValue Quota quota,
        @DefaultValue("30d") Duration retention,
        @DefaultValue RetentionSweep retentionSweep,
        @DefaultValue("100ms") Duration batchPollStaleness) {

    /** The shortest admin key the service starts with: a short one would be guessed. */
    public static final int MIN_ADMIN_KEY_LENGTH = 16;

    public ApiProperties {
        adminKey = adminKey == null || adminKey.isBlank() ? null : adminKey.strip();
        require(
                adminKey == null || adminKey.length() >= MIN_ADMIN_KEY_LENGTH,
                "SLUICE_ADMIN_KEY is too short: "
                        + (adminKey == null ? 0 : adminKey.length()) + " characters, the minimum is "
                        + MIN_ADMIN_KEY_LENGTH
                        + ". Choose a long random one, e.g. openssl rand -hex 24");
        facade = facade == null ? Facade.DEFAULTS : facade;
        models = models == null
                ? List.of()
                : models.stream().map(String::strip).filter(m -> !m.isEmpty()).toList();
        quota = quota == null ? Quota.DEFAULTS : quota;
        retention = retention == null ? Duration.ofDays(30) : retention;
        retentionSweep = retentionSweep == null ? RetentionSweep.DEFAULTS : retentionSweep;
        require(
                !retention.isNegative(),
                "SLUICE_RETENTION must not be negative (0 keeps everything), got " + retention);
        batchPollStaleness = batchPollStaleness == null ? Duration.ofMillis(100) : batchPollStaleness;
        require(
                !batchPollStaleness.isNegative() && batchPollStaleness.compareTo(Duration.ofSeconds(5)) <= 0,
                "SLUICE_BATCH_POLL_STALENESS must be between 0 and 5s, got " + batchPollStaleness);
    }

    /** Whether finished work's content expires at all ({@code SLUICE_RETENTION} other than 0). */
    public boolean retentionEnabled() {
        return retention.isPositive();
    }

    /** Whether {@code /admin/**} is enabled, i.e. an admin key is configured. */
    public boolean adminEnabled() {
        return adminKey != null;
    }

    @Override
    public String toString() {
        // The admin key must never reach a log, even through a debug dump of the configuration.
        return "ApiProperties[adminKey=" + (adminEnabled() ? "***" : "unset") + ", input=" + input + ", dispatch="
                + dispatch + ", webhook=" + webhook + ", events=" + events + ", facade=" + facade + ", models=" + models
                + ", quota=" + quota + ", retention=" + retention + ", retentionSweep=" + retentionSweep
                + ", batchPollStaleness=" + batchPollStaleness + "]";
    }

    /**
     * Limits on what one request may submit. Defaults follow OpenAI's Batch API where it has a
     * limit, and exceed it where the product promises more (100,000-line batches).
     *
     * @param maxRequestSize         largest accepted request body ({@code sluice.input.max-request-size},
     *                               default 100MB); larger bodies get 413 before they are parsed
     * @param maxRequestsPerBatch    most lines in one batch (default 100,000; OpenAI allows 50,000)
     * @param maxCustomIdLength      longest {@code custom_id}, in characters (default 512; OpenAI
     *                               documents none)
     * @param maxMetadataPairs       most {@code metadata} keys (default 16, as OpenAI)
     * @param maxMetadataKeyLength   longest {@code metadata} key, in characters (default 64, as OpenAI)
     * @param maxMetadataValueLength longest {@code metadata} value, in characters (default 512, as OpenAI)
     * @param maxCompletionWindow    longest accepted {@code completion_window} (default 24h, as OpenAI;
     *                               shorter windows down to one minute are accepted too)
     * @param maxFileSize            largest accepted upload to {@code POST /v1/files}
     *                               ({@code sluice.input.max-file-size}, default 200MB, as OpenAI's batch input
     *                               limit); larger uploads get 413 and leave nothing behind. Uploads are spooled
     *                               to a temporary file, never held in memory, so this may exceed max-request-size
     * @param maxLineSize            longest line of a batch input file ({@code sluice.input.max-line-size}, default
     *                               10MB): a longer line is refused at upload, and when a batch is made from a file
     *                               uploaded before this limit, with a 400 naming the line; no line is ever held
     *                               whole beyond it
     */
    public record Input(
            @DefaultValue("100MB") DataSize maxRequestSize,
            @DefaultValue("100000") int maxRequestsPerBatch,
            @DefaultValue("512") int maxCustomIdLength,
            @DefaultValue("16") int maxMetadataPairs,
            @DefaultValue("64") int maxMetadataKeyLength,
            @DefaultValue("512") int maxMetadataValueLength,
            @DefaultValue("24h") Duration maxCompletionWindow,
            @DefaultValue("200MB") DataSize maxFileSize,
            @DefaultValue("10MB") DataSize maxLineSize) {

        public Input {
            require(
                    maxRequestSize.toBytes() > 0 && maxRequestSize.toBytes() < Integer.MAX_VALUE - 16,
                    "sluice.input.max-request-size must be between 1B and 2GB, got " + maxRequestSize);
            require(maxRequestsPerBatch >= 1, "sluice.input.max-requests-per-batch must be at least 1");
            require(maxCustomIdLength >= 1, "sluice.input.max-custom-id-length must be at least 1");
            require(maxMetadataPairs >= 0, "sluice.input.max-metadata-pairs must not be negative");
            require(maxMetadataKeyLength >= 1, "sluice.input.max-metadata-key-length must be at least 1");
            require(maxMetadataValueLength >= 1, "sluice.input.max-metadata-value-length must be at least 1");
            require(
                    maxCompletionWindow.compareTo(Duration.ofMinutes(1)) >= 0,
                    "sluice.input.max-completion-window must be at least 1m, got " + maxCompletionWindow);
            require(maxFileSize.toBytes() > 0, "sluice.input.max-file-size must be positive, got " + maxFileSize);
            require(
                    maxLineSize.toBytes() > 0 && maxLineSize.toBytes() < Integer.MAX_VALUE - 16,
                    "sluice.input.max-line-size must be between 1B and 2GB, got " + maxLineSize);
        }
    }

    /**
     * How stored jobs are published to their model's queue.
     *
     * @param sweepInterval  how often the sweeper looks for jobs whose message the broker never
     *                       confirmed (default 5s)
     * @param republishAfter how old an unconfirmed job must be before the sweeper publishes it again, so
     *                       that it does not duplicate a single job's message still being sent (a batch
     *                       being published in the background is held by its publishing lease instead),
     *                       yet short enough to recover soon after a broker outage (default 60s)
     * @param confirmTimeout how long to wait for the broker to confirm one chunk of messages (default 30s)
     * @param chunkSize      messages published per broker confirmation and per recorded confirm (one
     *                       {@code published_at} update, or one move of a batch's publication) (default 1,000)
     * @param publishLease   how far ahead a batch's background publisher holds the batch's publishing lease,
     *                       renewed before each chunk; while it holds, the sweeper leaves the batch's jobs
     *                       alone; after the api-service died mid-publish, the sweeper takes over once it has
     *                       passed. Must exceed the confirm timeout (default 90s)
     */
    public record Dispatch(
            @DefaultValue("5s") Duration sweepInterval,
            @DefaultValue("60s") Duration republishAfter,
            @DefaultValue("30s") Duration confirmTimeout,
            @DefaultValue("1000") int chunkSize,
            @DefaultValue("90s") Duration publishLease) {

        public Dispatch {
            require(sweepInterval.isPositive(), "sluice.dispatch.sweep-interval must be positive");
            require(!republishAfter.isNegative(), "sluice.dispatch.republish-after must not be negative");
            require(confirmTimeout.isPositive(), "sluice.dispatch.confirm-timeout must be positive");
            require(chunkSize >= 1 && chunkSize <= 10_000, "sluice.dispatch.chunk-size must be 1-10000");
            require(
                    publishLease.compareTo(confirmTimeout) > 0,
                    "sluice.dispatch.publish-lease must exceed sluice.dispatch.confirm-timeout");
        }
    }

    /**
     * Webhooks, as far as the api-service is concerned (the worker delivers them).
     *
     * @param allowPrivate  {@code SLUICE_WEBHOOK_ALLOW_PRIVATE}: accept {@code webhook_url}s whose host is a
     *                      loopback, private or link-local IP address (local use, tests); default false, when such
     *                      a URL is refused with 400 {@code invalid_webhook_url}
     * @param secretOverlap how long a tenant's old webhook secret stays valid after a rotation, deliveries being
     *                      signed with both meanwhile (default 24h)
     */
    public record Webhook(
            @DefaultValue("false") boolean allowPrivate,
            @DefaultValue("24h") Duration secretOverlap) {

        public Webhook {
            require(secretOverlap.isPositive(), "sluice.webhook.secret-overlap must be positive");
        }
    }

    /**
     * The Server-Sent Events progress stream.
     *
     * @param pollInterval how often a batch with open streams is read from PostgreSQL, once for all of them
     *                     (default 500ms)
     * @param keepAlive    how long a stream may stay silent before a comment line is sent, so that proxies keep
     *                     it open and a gone client is noticed (default 15s)
     */
    public record Events(
            @DefaultValue("500ms") Duration pollInterval,
            @DefaultValue("15s") Duration keepAlive) {

        public Events {
            require(pollInterval.isPositive(), "sluice.events.poll-interval must be positive");
            require(keepAlive.isPositive(), "sluice.events.keep-alive must be positive");
        }
    }

    /**
     * The synchronous facade: each call is a priority-9 single job whose caller waits for its result.
     *
     * @param maxWait         the longest a caller waits before a 504 naming the job
     *                        ({@code sluice.facade.max-wait}, default 10m); {@code X-Sluice-Max-Wait} may
     *                        ask for less, never more
     * @param recheckInterval how often this instance checks, in one query, whether jobs it waits for finished
     *                        although no notification arrived (a listener reconnecting); default 2s
     * @param upstreamBaseUrl the provider, for {@code GET /v1/models} only (jobs go through the workers);
     *                        {@code sluice.facade.upstream-base-url}, default {@code http://localhost:3010}
     * @param upstreamApiKey  the provider key for {@code GET /v1/models} ({@code sluice.facade.upstream-api-key},
     *                        default {@code sk-local}); never logged
     * @param modelsTtl       how long the provider's model list is reused before it is fetched again, and how often
     *                        the model registry reads it ({@code sluice.facade.models-ttl}, default 60s)
     * @param modelsMissRefresh the shortest time between two reads of the provider's list that submissions naming
     *                        an unlisted model cause ({@code sluice.facade.models-miss-refresh}, default 5s), so that
     *                        a model the provider has just added is usable at once, and a flood of unknown models
     *                        costs the provider at most one call per this interval
     * @param cache           whether deterministic calls are answered from the response cache and identical calls
     *                        in flight share one job ({@code sluice.facade.cache}, default true); the workers keep
     *                        the answers ({@code sluice.cache.*} of the worker)
     * @param keepAlive       how long a streaming caller waits with nothing sent before Sluice commits the event
     *                        stream and sends an SSE comment, and then again at this interval: keeps proxies
     *                        from timing the call out and tells Sluice when the caller has gone
     *                        ({@code sluice.facade.keep-alive}, default 15s)
     */
    public record Facade(
            @DefaultValue("10m") Duration maxWait,
            @DefaultValue("2s") Duration recheckInterval,
            @DefaultValue("http://localhost:3010") URI upstreamBaseUrl,
            @DefaultValue("sk-local") String upstreamApiKey,
            @DefaultValue("60s") Duration modelsTtl,
            @DefaultValue("5s") Duration modelsMissRefresh,
            @DefaultValue("true") boolean cache,
            @DefaultValue("15s") Duration keepAlive) {

        static final Facade DEFAULTS = new Facade(
                Duration.ofMinutes(10),
                Duration.ofSeconds(2),
                URI.create("http://localhost:3010"),
                "sk-local",
                Duration.ofSeconds(60),
                Duration.ofSeconds(5),
                true,
                Duration.ofSeconds(15));

        public Facade {
            require(maxWait.isPositive(), "sluice.facade.max-wait must be positive");
            require(recheckInterval.isPositive(), "sluice.facade.recheck-interval must be positive");
            require(
                    upstreamBaseUrl.getScheme() != null && upstreamBaseUrl.getHost() != null,
                    "sluice.facade.upstream-base-url must be an absolute URL, got " + upstreamBaseUrl);
            require(!modelsTtl.isNegative(), "sluice.facade.models-ttl must not be negative");
            require(!modelsMissRefresh.isNegative(), "sluice.facade.models-miss-refresh must not be negative");
            require(keepAlive.isPositive(), "sluice.facade.keep-alive must be positive");
        }

        /** The base URL without a trailing slash. */
        public String upstreamBaseUrlText() {
            return upstreamBaseUrl.toString().replaceAll("/+$", "");
        }

        @Override
        public String toString() {
            return "Facade[maxWait=" + maxWait + ", recheckInterval=" + recheckInterval + ", upstreamBaseUrl="
                    + upstreamBaseUrl + ", upstreamApiKey=***, modelsTtl=" + modelsTtl + ", modelsMissRefresh="
                    + modelsMissRefresh
                    + ", cache=" + cache
                    + ", keepAlive=" + keepAlive + "]";
        }
    }

    /**
     * The default quotas of every tenant ({@code SLUICE_QUOTA_*}); {@code PATCH /admin/tenants/{id}} overrides them
     * per tenant. A request that would take a tenant over one is refused whole with 429 {@code quota_exceeded} and
     * stores nothing. 0 refuses everything of that kind.
     *
     * @param queuedJobs         most jobs a tenant may have unfinished (queued or running), batch and single jobs and
     *                           facade calls together ({@code SLUICE_QUOTA_QUEUED_JOBS}, default 1,000,000: ten
     *                           batches of the largest size)
     * @param storedBytes        most bytes of uploaded files ({@code POST /v1/files}) a tenant may store at once;
     *                           deleted and expired uploads do not count ({@code SLUICE_QUOTA_STORED_BYTES}, default
     *                           10GB: fifty uploads of the largest size)
     * @param eventStreams       most {@code GET /v1/batches/{id}/events} streams a tenant may hold open, on all api
     *                           replicas together ({@code SLUICE_QUOTA_EVENT_STREAMS}, default 100)
     * @param waitingFacadeCalls most synchronous facade calls ({@code POST /v1/chat/completions}, ...) a tenant may
     *                           have in progress, on all api replicas together
     *                           ({@code SLUICE_QUOTA_WAITING_FACADE_CALLS}, default 256)
     * @param leaseDuration      how long an open stream or facade call counts without its replica renewing it: a
     *                           replica renews its leases every third of this, and the leases of a replica that died
     *                           stop counting after it ({@code SLUICE_QUOTA_LEASE_DURATION}, default 60s)
     */
    public record Quota(
            @DefaultValue("1000000") long queuedJobs,
            @DefaultValue("10GB") DataSize storedBytes,
            @DefaultValue("100") long eventStreams,
            @DefaultValue("256") long waitingFacadeCalls,
            @DefaultValue("60s") Duration leaseDuration) {

        static final Quota DEFAULTS = new Quota(1_000_000, DataSize.ofGigabytes(10), 100, 256, Duration.ofSeconds(60));

        public Quota {
            require(queuedJobs >= 0, "SLUICE_QUOTA_QUEUED_JOBS must not be negative, got " + queuedJobs);
            require(storedBytes.toBytes() >= 0, "SLUICE_QUOTA_STORED_BYTES must not be negative, got " + storedBytes);
            require(eventStreams >= 0, "SLUICE_QUOTA_EVENT_STREAMS must not be negative, got " + eventStreams);
            require(
                    waitingFacadeCalls >= 0,
                    "SLUICE_QUOTA_WAITING_FACADE_CALLS must not be negative, got " + waitingFacadeCalls);
            require(
                    leaseDuration.compareTo(Duration.ofSeconds(3)) >= 0,
                    "SLUICE_QUOTA_LEASE_DURATION must be at least 3s, got " + leaseDuration);
        }
    }

    /**
     * The retention sweep: one api replica or several, each taking its chunks {@code SKIP LOCKED}.
     *
     * @param interval  how often it runs ({@code SLUICE_RETENTION_SWEEP_INTERVAL}, default 1m)
     * @param chunkSize rows (job lines, single jobs, batches) per statement, each in its own short transaction
     *                  ({@code SLUICE_RETENTION_SWEEP_CHUNK_SIZE}, default 1000)
     * @param maxChunks most statements of each kind per run, so one run stays short; the next run goes on
     *                  ({@code SLUICE_RETENTION_SWEEP_MAX_CHUNKS}, default 100)
     */
    public record RetentionSweep(
            @DefaultValue("1m") Duration interval,
            @DefaultValue("1000") int chunkSize,
            @DefaultValue("100") int maxChunks) {

        static final RetentionSweep DEFAULTS = new RetentionSweep(Duration.ofMinutes(1), 1000, 100);

        public RetentionSweep {
            require(interval.isPositive(), "sluice.retention-sweep.interval must be positive");
            require(chunkSize >= 1 && chunkSize <= 100_000, "sluice.retention-sweep.chunk-size must be 1-100000");
            require(maxChunks >= 1, "sluice.retention-sweep.max-chunks must be at least 1");
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
