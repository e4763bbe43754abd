package io.ora.portal;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The portal's domain speaks the domain (docs/portal.md, "Errors"): the packages of installers, projects, plans,
 * handover, app certificates and refusals never reach for HTTP, neither Pekko HTTP itself nor the edge's problem
 * types. Only these classes of theirs are the edge, and may: the {@code *Routes} classes, which declare endpoints
 * and turn domain answers into responses, and {@code handover.StepUp}, which answers with RFC 9470's
 * authentication challenge. And the edge asks the domain: no route runs SQL.
 */
@AnalyzeClasses(packages = "io.ora.portal", importOptions = ImportOption.DoNotIncludeTests.class)
class DomainLayeringTest {

    static final String[] DOMAIN = {"io.ora.portal.installers..", "io.ora.portal.projects..",
        "io.ora.portal.plans..", "io.ora.portal.handover..", "io.ora.portal.certs..", "io.ora.portal.refusal..",
        "io.ora.portal.ota.."};

    @ArchTest
    static final ArchRule THE_DOMAIN_DOES_NOT_SPEAK_HTTP = noClasses()
            .that().resideInAnyPackage(DOMAIN)
            .and().haveSimpleNameNotEndingWith("Routes")
            .and().doNotHaveFullyQualifiedName("io.ora.portal.handover.StepUp")
            .should().dependOnClassesThat().resideInAPackage("org.apache.pekko.http..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("io.ora.portal.api.ApiException")
            .orShould().dependOnClassesThat().resideInAPackage("io.ora.portal.http..");

    /** Routes call domain operations; none runs SQL of its own (as the audit log's route once did). */
    @ArchTest
    static final ArchRule ROUTES_RUN_NO_SQL = noClasses()
            .that().haveSimpleNameEndingWith("Routes")
            .should().dependOnClassesThat().resideInAPackage("java.sql..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("io.ora.portal.store.Db");
}
