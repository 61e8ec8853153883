package dev.sluice.worker.pacing;

import dev.sluice.worker.WorkerProperties;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.stereotype.Component;

/**
 * The pacer of each model, created on first use with the configured default limit (per-model limits from
 * the admin API come later). One per model, so a model that is saturated or paused never holds up another.
 */
@Component
public class Pacers {

    private final ConcurrentMap<String, Pacer> byModel = new ConcurrentHashMap<>();
    private final WorkerProperties properties;
    private final InstantSource clock;

    Pacers(WorkerProperties properties, InstantSource clock) {
        this.properties = properties;
        this.clock = clock;
    }

    /** The pacer of {@code model}. */
    public Pacer forModel(String model) {
        return byModel.computeIfAbsent(model,
                m -> new LocalPacer(properties.defaultLimit(), properties.pacing().safetyMargin(), clock));
    }
}
