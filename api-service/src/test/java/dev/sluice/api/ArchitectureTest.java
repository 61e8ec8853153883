package dev.sluice.api;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.sluice.testsupport.ArchitectureRules;
import java.util.Map;
import java.util.Set;

/** The api-service's architecture rules (docs/architecture.md, "Rules the build checks"). */
@AnalyzeClasses(packages = "dev.sluice.api", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String ROOT = "dev.sluice.api";

    /** Used by any feature; they use only each other. */
    private static final Set<String> SHARED = Set.of("web", "auth", "metrics");

    /**
     * Which other features each feature may use. A new arrow is a design decision: add it here, and keep the
     * graph free of cycles.
     */
    private static final Map<String, Set<String>> USES = Map.ofEntries(
            Map.entry(
                    "admin", Set.of("batch", "job", "model")), // retries failed jobs; queue drain times; allowed models
            Map.entry("batch", Set.of("job", "dispatch", "idempotency", "webhook", "model", "quota", "tokens")),
            Map.entry("job", Set.of("dispatch", "idempotency", "webhook", "model", "quota", "tokens")),
            Map.entry("facade", Set.of("job", "model", "quota")), // a single job; GET /v1/models; a waiting call counts
            Map.entry("model", Set.of()), // the model registry: the provider's list and the operators' models
            Map.entry("file", Set.of("quota")), // stored bytes
            Map.entry("dispatch", Set.of()),
            Map.entry("idempotency", Set.of()),
            Map.entry("webhook", Set.of("quota")), // open event streams
            Map.entry("quota", Set.of()), // per-tenant quotas and the /admin/tenants surface
            Map.entry("retention", Set.of()), // the retention sweep
            Map.entry("tokens", Set.of()), // token estimates and the too-large check
            Map.entry("secret", Set.of()),
            Map.entry("dashboard", Set.of())); // static pages that call the admin API over HTTP, like any client

    @ArchTest
    static final ArchRule sqlOnlyInDb = ArchitectureRules.sqlOnlyInDb();

    @ArchTest
    static final ArchRule featuresUseOnlyWhatTheyDeclare =
            ArchitectureRules.featuresUseOnlyWhatTheyDeclare(ROOT, SHARED, USES);

    @ArchTest
    static final ArchRule featuresFreeOfCycles = ArchitectureRules.featuresFreeOfCycles(ROOT);
}
