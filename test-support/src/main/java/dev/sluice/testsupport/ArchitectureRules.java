package dev.sluice.testsupport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceRule;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The architecture rules the services check in their {@code ArchitectureTest} (docs/architecture.md,
 * "Rules the build checks"): SQL only in {@code db}, and features that use only what they declare.
 */
public final class ArchitectureRules {

    /**
     * The APIs that run SQL or hold a connection: JDBC and its pools, Spring's JDBC templates and
     * {@code JdbcClient}, JPA's {@code EntityManager}, Hibernate, and the PostgreSQL driver
     * ({@code CopyManager}, {@code PGConnection}). {@code TransactionTemplate} is not among them: a service
     * may draw a transaction around calls to {@code db}.
     */
    private static final String[] SQL_APIS = {
        "java.sql..",
        "javax.sql..",
        "org.springframework.jdbc..",
        "jakarta.persistence..",
        "org.hibernate..",
        "org.postgresql..",
        "com.zaxxer.hikari.."
    };

    private ArchitectureRules() {}

    /**
     * No class outside {@code dev.sluice.db} uses an SQL API. The one exception is {@code dev.sluice.testsupport}
     * (test code only): it creates and drops each test run's database over JDBC, before any schema exists.
     */
    public static ArchRule sqlOnlyInDb() {
        return noClasses()
                .that()
                .resideOutsideOfPackages("dev.sluice.db..", "dev.sluice.testsupport..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(SQL_APIS)
                .because("every SQL statement lives in the db module, so both services run the same SQL"
                        + " (docs/architecture.md)");
    }

    /**
     * The feature packages {@code <root>.<feature>..} form no cycle; {@code ignoring} names the frozen
     * exceptions, each as {@code "from class -> to class"} given by their fully qualified names.
     */
    public static SliceRule featuresFreeOfCycles(String root, String... ignoring) {
        SliceRule rule = slices().matching(root + ".(*)..").should().beFreeOfCycles();
        for (String edge : ignoring) {
            String[] ends = edge.split(" -> ");
            rule = rule.ignoreDependency(ends[0], ends[1]);
        }
        return rule;
    }

    /**
     * Each feature package {@code <root>.<feature>..} uses, of its service's other packages, only the
     * {@code shared} ones and those {@code uses} declares for it; a shared package uses only other shared ones.
     * Every package below {@code root} must appear in {@code shared} or as a key of {@code uses}, so that a new
     * package is a decision too. The root package itself (the application, its properties, its loops) is not
     * a feature and may be used by all.
     */
    public static ArchRule featuresUseOnlyWhatTheyDeclare(
            String root, Set<String> shared, Map<String, Set<String>> uses) {
        return classes()
                .that()
                .resideInAPackage(root + "..")
                .should(
                        new ArchCondition<JavaClass>("use, of the other packages of " + root + ", only the shared ones "
                                + new TreeSet<>(shared) + " and those their feature declares") {
                            @Override
                            public void check(JavaClass javaClass, ConditionEvents events) {
                                String from = feature(root, javaClass.getPackageName());
                                if (from == null) {
                                    return;
                                }
                                if (!shared.contains(from) && !uses.containsKey(from)) {
                                    events.add(SimpleConditionEvent.violated(
                                            javaClass,
                                            "package " + root + "." + from + " of " + javaClass.getName()
                                                    + " is neither shared nor a declared feature"));
                                    return;
                                }
                                Set<String> allowed = shared.contains(from) ? shared : uses.get(from);
                                for (Dependency dependency : javaClass.getDirectDependenciesFromSelf()) {
                                    String to = feature(
                                            root, dependency.getTargetClass().getPackageName());
                                    if (to != null
                                            && !to.equals(from)
                                            && !allowed.contains(to)
                                            && !(shared.contains(to) && !shared.contains(from))) {
                                        events.add(SimpleConditionEvent.violated(
                                                dependency,
                                                dependency.getDescription() + ": " + from + " may not use " + to));
                                    }
                                }
                            }
                        });
    }

    /** The feature a package belongs to, {@code batch} for {@code dev.sluice.api.batch.x}; null outside one. */
    private static String feature(String root, String packageName) {
        if (!packageName.startsWith(root + ".")) {
            return null;
        }
        String rest = packageName.substring(root.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }
}
