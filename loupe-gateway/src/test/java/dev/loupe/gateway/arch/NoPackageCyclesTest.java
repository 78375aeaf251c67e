package dev.loupe.gateway.arch;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * The gateway's packages form layers, never a ring: a package that needs another's internals, and is needed by it,
 * cannot be understood, tested or replaced on its own (a new kind of stage must not mean touching the relay).
 */
class NoPackageCyclesTest {
    private final JavaClasses gateway = new ClassFileImporter()
            .withImportOption(location -> !location.contains("/test-classes/"))
            .importPackages("dev.loupe.gateway");

    @Test
    void theGatewaysPackagesHaveNoCycles() {
        slices().matching("dev.loupe.gateway.(*)..").should().beFreeOfCycles().check(gateway);
    }
}
