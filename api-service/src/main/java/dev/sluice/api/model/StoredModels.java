package dev.sluice.api.model;

import dev.sluice.db.model.ModelRepository;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The {@code models} rows a submission stores with its jobs, written only for the models this process has not yet seen
 * committed: rows there are never deleted, so a model's row costs one statement per process rather than one per batch
 * or job.
 */
@Component
public class StoredModels {

    private final ModelRepository models;
    private final Set<String> stored = ConcurrentHashMap.newKeySet();

    StoredModels(ModelRepository models) {
        this.models = models;
    }

    /** Stores, in the caller's transaction, the rows of those {@code submitted} models not seen committed yet. */
    public void register(Collection<String> submitted, Instant now) {
        List<String> missing =
                submitted.stream().filter(model -> !stored.contains(model)).toList();
        models.register(missing, now);
    }

    /** The transaction that registered {@code submitted} committed: their rows exist. */
    public void committed(Collection<String> submitted) {
        stored.addAll(submitted);
    }
}
