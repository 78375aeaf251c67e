package dev.loupe.core.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real Wireshark dissector over our captures. A missing tshark fails the test instead of
 * skipping it, so an interoperability regression can never hide behind a CI image without tshark.
 */
final class Tshark {
    private static final String INSTALL_HINT =
            "tshark is required by the tap interoperability tests but was not found on PATH (or $TSHARK). "
                    + "Install it: apt-get install -y --no-install-recommends tshark";

    private Tshark() {
    }

    static Path executable() {
        String override = System.getenv("TSHARK");
        if (override != null && Files.isExecutable(Path.of(override))) {
            return Path.of(override);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String directory : path.split(File.pathSeparator)) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, "tshark");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail(INSTALL_HINT);
    }

    /** Runs tshark with {@code args} and returns its standard output; fails on a non-zero exit. */
    static String run(Path workDir, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(executable().toString());
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(workDir, "tshark", ".out");
        Path stderr = Files.createTempFile(workDir, "tshark", ".err");
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("tshark timed out: " + command);
        }
        String errors = Files.readString(stderr, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("exit status of %s; stderr: %s", command, errors).isZero();
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }
}
