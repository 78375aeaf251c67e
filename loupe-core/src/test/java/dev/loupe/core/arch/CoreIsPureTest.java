package dev.loupe.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/** Keeps loupe-core free of I/O frameworks, so its logic stays testable with values in and out. */
class CoreIsPureTest {
    private final JavaClasses core = new ClassFileImporter()
            // test classes may open sockets (e.g. to capture real ClientHellos); wherever the build dir is
            .withImportOption(location -> !location.contains("/test-classes/"))
            .importPackages("dev.loupe.core");

    @Test
    void coreDoesNotDependOnNetty() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.netty..")
                .because("protocol logic must be testable without sockets (DESIGN.md)")
                .check(core);
    }

    @Test
    void coreDoesNotOpenSockets() {
        noClasses().should().dependOnClassesThat().haveFullyQualifiedName("java.net.Socket")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.ServerSocket")
                .orShould().dependOnClassesThat().resideInAnyPackage("java.nio.channels..")
                .check(core);
    }
}
