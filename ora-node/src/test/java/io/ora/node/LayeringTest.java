package io.ora.node;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering the README promises, checked on the node's whole classpath: a role module never imports another
 * role (they meet only through the modules below them: ora-core, persistence-schema, relay-api, device-https), and
 * nothing below a role (those, and hub-kit) imports one. Would a rule not hold, the build says which class and
 * which dependency.
 */
@AnalyzeClasses(packages = "io.ora", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    /** Every relay package but its API, whatever the relay's packages are called (an allow-list of one). */
    private static final DescribedPredicate<JavaClass> RELAY_INTERNALS = DescribedPredicate.describe(
            "are in the relay but not its API", (JavaClass type) -> type.getPackageName().startsWith("io.ora.relay")
                    && !type.getPackageName().startsWith("io.ora.relay.api"));

    @ArchTest
    static final ArchRule THE_RELAY_IMPORTS_NO_OTHER_ROLE = noClasses()
            .that().resideInAPackage("io.ora.relay..").and().resideOutsideOfPackage("io.ora.relay.api..")
            .should().dependOnClassesThat().resideInAnyPackage("io.ora.portal..", "io.ora.ingest..",
                    "io.ora.backup..");

    @ArchTest
    static final ArchRule THE_PORTAL_KNOWS_THE_RELAY_ONLY_BY_ITS_API = noClasses()
            .that().resideInAPackage("io.ora.portal..")
            .should().dependOnClassesThat().resideInAnyPackage("io.ora.ingest..", "io.ora.backup..")
            .orShould().dependOnClassesThat(RELAY_INTERNALS);

    @ArchTest
    static final ArchRule THE_INGEST_IMPORTS_NO_OTHER_ROLE = noClasses()
            .that().resideInAPackage("io.ora.ingest..")
            .should().dependOnClassesThat().resideInAnyPackage("io.ora.relay..", "io.ora.portal..",
                    "io.ora.backup..");

    @ArchTest
    static final ArchRule BACKUPS_IMPORT_NO_OTHER_ROLE = noClasses()
            .that().resideInAPackage("io.ora.backup..")
            .should().dependOnClassesThat().resideInAnyPackage("io.ora.relay..", "io.ora.portal..",
                    "io.ora.ingest..");

    @ArchTest
    static final ArchRule THE_SHARED_MODULES_IMPORT_NO_ROLE = noClasses()
            .that().resideInAnyPackage("io.ora.core..", "io.ora.persistence..", "io.ora.relay.api..",
                    "io.ora.device..", "io.ora.hubkit..")
            .should().dependOnClassesThat().resideInAnyPackage("io.ora.portal..", "io.ora.ingest..",
                    "io.ora.backup..", "io.ora.node..")
            .orShould().dependOnClassesThat(RELAY_INTERNALS);
}
