package dev.loupe.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps loupe-core free of I/O frameworks, so its logic stays testable with values in and out. */
class CoreIsPureTest {
    private final JavaClasses core = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
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
