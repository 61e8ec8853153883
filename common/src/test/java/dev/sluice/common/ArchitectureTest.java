package dev.sluice.common;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * {@code common} is plain Java, shared by both services and small: it uses the JDK and nothing else
 * (docs/architecture.md, "Rules the build checks").
 */
@AnalyzeClasses(packages = "dev.sluice.common", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule noSpring = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.springframework..", "jakarta..", "tools.jackson..", "com.fasterxml..")
            .because("common is plain Java: the services bring Spring and Jackson, not the types they share");

    /**
     * The JDK packages common uses. Another one is fine, added here; {@code java.sql} is not (SQL lives in
     * {@code db}).
     */
    @ArchTest
    static final ArchRule onlyTheJdk = classes()
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                    "dev.sluice.common..",
                    "java.lang..",
                    "java.util..",
                    "java.time..",
                    "java.net..",
                    "java.nio..",
                    "java.security..",
                    "java.io..",
                    "java.math..",
                    "javax.crypto..")
            .because("common declares no dependency beyond the JDK");
}
