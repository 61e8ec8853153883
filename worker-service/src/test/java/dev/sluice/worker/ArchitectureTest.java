package dev.sluice.worker;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.sluice.testsupport.ArchitectureRules;
import java.util.Map;
import java.util.Set;

/** The worker-service's architecture rules (docs/architecture.md, "Rules the build checks"). */
@AnalyzeClasses(packages = "dev.sluice.worker", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String ROOT = "dev.sluice.worker";

    /**
     * Which other features each feature may use (the root package, which starts the loops, may use all). A new
     * arrow is a design decision: add it here, and keep the graph free of cycles.
     */
    private static final Map<String, Set<String>> USES = Map.ofEntries(
            Map.entry("intake", Set.of("pacing", "execution")),
            Map.entry("execution", Set.of("pacing", "upstream", "stream", "cache", "finalization", "metrics")),
            Map.entry("pacing", Set.of("metrics")),
            Map.entry("stream", Set.of("upstream")),
            Map.entry("webhook", Set.of("metrics")),
            // Records attempts by outcome; runs the alert evaluation; heartbeats the models intake consumes.
            Map.entry("metrics", Set.of("upstream", "alert", "intake")),
            Map.entry("upstream", Set.of()),
            Map.entry("cache", Set.of()),
            Map.entry("finalization", Set.of()),
            Map.entry("rescue", Set.of()),
            Map.entry("alert", Set.of()));

    /**
     * Frozen: the heartbeat (metrics) asks intake which models it consumes, while intake's executor records
     * metrics, a cycle. Breaking it means moving the heartbeat and the operations loop out of metrics, which
     * OperationsIT reaches into; left for a change that touches them anyway.
     */
    private static final String HEARTBEAT_READS_INTAKE =
            "dev.sluice.worker.metrics.WorkerHeartbeat -> dev.sluice.worker.intake.ModelIntake";

    @ArchTest
    static final ArchRule sqlOnlyInDb = ArchitectureRules.sqlOnlyInDb();

    @ArchTest
    static final ArchRule featuresUseOnlyWhatTheyDeclare =
            ArchitectureRules.featuresUseOnlyWhatTheyDeclare(ROOT, Set.of(), USES);

    @ArchTest
    static final ArchRule featuresFreeOfCycles = ArchitectureRules.featuresFreeOfCycles(ROOT, HEARTBEAT_READS_INTAKE);
}
