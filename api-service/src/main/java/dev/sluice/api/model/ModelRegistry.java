package dev.sluice.api.model;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.metrics.ModelTags;
import dev.sluice.api.web.ApiException;
import dev.sluice.db.model.AllowedModelRepository;
import dev.sluice.db.model.AllowedModelRepository.Source;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Which models jobs may name: those the provider lists at {@code GET /v1/models} and those an operator allowed
 * ({@code SLUICE_MODELS}, {@code POST /admin/models}). Every submission (single job, facade call, each batch
 * line) passes {@link #require} before anything is stored, so the {@code models} table, the broker's queues and
 * the workers' dispatchers grow only with models that exist (docs/contract.md, "Models").
 *
 * <p>The provider's list is read every {@code sluice.facade.models-ttl} and again when a submission names a model
 * no one has (at most once per {@code sluice.facade.models-miss-refresh}), so a model the provider has just added
 * is usable at once. The last good list is kept, here and in {@code allowed_models} for the other instances and
 * the next start: a provider that cannot be read keeps the last list it gave. Until a list has been read once,
 * here or by another instance, a model no operator allowed is answered 503 {@code model_list_unavailable}
 * (whether it exists is not known); a provider that answers 404 has no list, and only operators' models are used.
 * A known model is checked in memory; only a miss reads the database.
 */
@Component
public class ModelRegistry implements ModelTags {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

    private final ProviderModels provider;
    private final AllowedModelRepository store;
    private final TransactionTemplate transaction;
    private final Clock clock;
    private final Duration missRefresh;
    private volatile KnownModels known;
    private Instant lastRead = Instant.MIN;
    private String lastProblem;

    ModelRegistry(
            ProviderModels provider,
            AllowedModelRepository store,
            TransactionTemplate transaction,
            Clock clock,
            ApiProperties properties) {
        this.provider = provider;
        this.store = store;
        // Its own transaction: a miss may come from a batch's storing transaction, which the list must not join.
        this.transaction = new TransactionTemplate(transaction.getTransactionManager());
        this.transaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.clock = clock;
        this.missRefresh = properties.facade().modelsMissRefresh();
        this.known = new KnownModels(null, Set.copyOf(properties.models()), Set.of());
    }

    /**
     * Refuses a model no one has: 400 {@code model_not_found} naming {@code param}, or 503
     * {@code model_list_unavailable} while the provider's list has never been read.
     *
     * @param where appended to the message to point at the line, e.g. {@code " (line 4 of the batch)"}, or empty
     */
    public void require(String model, String param, String where) {
        if (known.knows(model)) {
            return;
        }
        KnownModels now = refreshOnMiss();
        switch (now.verdict(model)) {
            case KNOWN -> {}
            case UNKNOWN ->
                throw new ApiException(
                        HttpStatus.BAD_REQUEST,
                        "invalid_request_error",
                        param,
                        "model_not_found",
                        "The model '" + shown(model) + "'" + where + " does not exist: the provider does not list it "
                                + "and no operator allowed it (GET /v1/models lists the provider's models).");
            case LIST_UNREAD ->
                throw new ApiException(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "server_error",
                        param,
                        "model_list_unavailable",
                        "Whether the model '" + shown(model) + "'" + where + " exists is not known yet: the provider's "
                                + "model list could not be read. Try again shortly.");
        }
    }

    /** {@code model} itself when known, else {@link #OTHER}: the value of a metric's {@code model} tag. */
    @Override
    public String tag(String model) {
        return model != null && known.knows(model) ? model : OTHER;
    }

    /** Reads the provider's list and the operators' models; run every {@code sluice.facade.models-ttl}. */
    public synchronized void refresh() {
        readProvider();
        known = known.withAllowed(Set.copyOf(store.models(Source.OPERATOR)));
    }

    /** Every known model and where it comes from. */
    public List<Entry> entries() {
        KnownModels now = known;
        return now.all().stream()
                .map(model -> new Entry(model, now.sources(model)))
                .toList();
    }

    /** Whether the provider's list has been read (here or by another instance) at least once. */
    public boolean providerListRead() {
        return known.listed() != null;
    }

    /** Whether {@code model} is allowed by {@code SLUICE_MODELS}. */
    public boolean configured(String model) {
        return known.configured().contains(model);
    }

    /** Allows {@code model} for every instance; false when an operator had allowed it already. */
    public synchronized boolean allow(String model) {
        boolean added = store.allow(model, clock.instant());
        known = known.withAllowed(Set.copyOf(store.models(Source.OPERATOR)));
        return added;
    }

    /** Withdraws an operator's allowance of {@code model}; false when there was none (through the admin API). */
    public synchronized boolean disallow(String model) {
        boolean removed = store.disallow(model);
        known = known.withAllowed(Set.copyOf(store.models(Source.OPERATOR)));
        return removed;
    }

    /**
     * One known model.
     *
     * @param model   its id
     * @param sources {@code provider} and/or {@code operator}
     */
    public record Entry(String model, List<String> sources) {}

    private synchronized KnownModels refreshOnMiss() {
        // Another instance may have allowed it; one indexed read, cheap next to the request that asks.
        known = known.withAllowed(Set.copyOf(store.models(Source.OPERATOR)));
        Instant now = clock.instant();
        if (!now.isBefore(lastRead.plus(missRefresh))) {
            readProvider();
        }
        return known;
    }

    private void readProvider() {
        lastRead = clock.instant();
        switch (provider.fetch()) {
            case ProviderModels.Fetch.Listed listed -> {
                transaction.executeWithoutResult(status -> store.replaceProviderList(listed.ids(), clock.instant()));
                known = known.withListed(listed.ids());
                noted(null);
            }
            case ProviderModels.Fetch.NoList none -> {
                transaction.executeWithoutResult(status -> store.replaceProviderList(Set.of(), clock.instant()));
                known = known.withListed(Set.of());
                noted("the provider answered 404 at GET /v1/models: it has no model list, so only the models in "
                        + "SLUICE_MODELS and POST /admin/models can be used");
            }
            case ProviderModels.Fetch.Unavailable down -> {
                if (known.listed() == null) {
                    List<String> stored = store.models(Source.PROVIDER);
                    if (!stored.isEmpty()) {
                        known = known.withListed(Set.copyOf(stored));
                    }
                }
                noted("the provider's model list could not be read (" + down.why() + "); "
                        + (known.listed() == null
                                ? "none was ever read, so only operators' models are accepted meanwhile"
                                : "the last list read stays in use"));
            }
        }
    }

    /** Logs a change of the list's state once, not at every refresh. */
    private void noted(String problem) {
        if (problem == null ? lastProblem != null : !problem.equals(lastProblem)) {
            if (problem == null) {
                log.info(
                        "The provider's model list can be read again ({} models)",
                        known.listed().size());
            } else {
                log.warn("Model registry: {}", problem);
            }
        }
        lastProblem = problem;
    }

    private static String shown(String model) {
        return model.length() > 100 ? model.substring(0, 100) + "..." : model;
    }
}
