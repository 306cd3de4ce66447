package dev.tollgate;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package layering of docs/architecture.md, checked on the compiled production classes: no cycles between
 * packages, and each package depends only on the packages listed for it. A new dependency is a decision: add it here
 * and to the doc, or put the class where it belongs.
 */
class ArchitectureTest {

    private static final String ROOT = "dev.tollgate";

    /** Package → the Tollgate packages it may use (sub-packages included on both sides). */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("errors", Set.of()),
            Map.entry("seeding", Set.of()),
            Map.entry("background", Set.of()),
            Map.entry("identity", Set.of("errors")),
            Map.entry("routing", Set.of("errors")),
            Map.entry("ledger", Set.of("errors")),
            Map.entry("apps", Set.of("identity", "routing", "seeding", "background", "errors")),
            Map.entry("pricing", Set.of("routing", "ledger", "identity", "seeding", "errors")),
            Map.entry("metering", Set.of("identity", "routing", "pricing", "ledger", "errors")),
            Map.entry("request", Set.of("metering", "errors")),
            Map.entry("admission", Set.of("identity", "request", "metering", "apps", "pricing", "ledger", "routing",
                    "reporting", "seeding", "background", "errors")),
            Map.entry("proxy", Set.of("request", "routing", "metering", "errors")),
            Map.entry("gateway", Set.of("identity", "metering", "request", "admission", "proxy", "errors")),
            Map.entry("capacity", Set.of("pricing", "routing", "identity", "seeding", "background", "errors")),
            Map.entry("reporting", Set.of("capacity", "ledger", "pricing", "apps", "identity", "routing", "errors")),
            Map.entry("export", Set.of("metering", "ledger", "routing", "background", "errors")),
            Map.entry("admin", Set.of("routing", "identity", "errors")),
            Map.entry("lifecycle", Set.of("metering", "apps", "pricing", "admission", "capacity", "reporting", "ledger", "errors")),
            Map.entry("finops", Set.of("reporting", "ledger", "pricing", "apps", "routing", "identity", "errors")));

    /** The local stack and the simulator: developer machinery, free to use anything, used by nothing. */
    private static final Set<String> DEV_ONLY = Set.of("local", "simulator");

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void eachPackageUsesOnlyThePackagesBelowIt() {
        for (Map.Entry<String, Set<String>> entry : ALLOWED.entrySet()) {
            List<String> forbidden = new ArrayList<>();
            for (String other : ALLOWED.keySet()) {
                if (!other.equals(entry.getKey()) && !entry.getValue().contains(other)) {
                    forbidden.add(ROOT + "." + other + "..");
                }
            }
            DEV_ONLY.forEach(dev -> forbidden.add(ROOT + "." + dev + ".."));
            noClasses().that().resideInAPackage(ROOT + "." + entry.getKey() + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
                    .allowEmptyShould(true)
                    .check(classes);
        }
    }

    @Test
    void everyPackageIsPlacedInTheLayering() {
        Set<String> known = new java.util.HashSet<>(ALLOWED.keySet());
        known.addAll(DEV_ONLY);
        noClasses().should().resideOutsideOfPackages(known.stream().map(p -> ROOT + "." + p + "..")
                .toArray(String[]::new)).check(classes);
    }
}
