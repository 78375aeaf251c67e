package dev.loupe.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The loupe CLI as a separate JVM (same classes as the test), for exit codes and resource limits. */
final class LoupeProcess {
    record Result(int exitCode, String stdout, String stderr) {
    }

    private LoupeProcess() {
    }

    static ProcessBuilder builder(List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.loupe.app.LoupeCommand");
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    static Result run(Path dir, String... args) throws Exception {
        Path out = Files.createTempFile(dir, "loupe", ".out");
        Path err = Files.createTempFile(dir, "loupe", ".err");
        Process p = builder(List.of(), args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("loupe did not finish: " + List.of(args));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
