package dev.loupe.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real curl binary and captures what it printed. */
final class Curl {
    record Result(int exitCode, byte[] body, String stderr) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private Curl() {
    }

    static Result run(Path workDir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Partners.require("curl"));
        cmd.add("--silent");
        cmd.add("--show-error");
        cmd.add("--max-time");
        cmd.add("60");
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "curl", ".out");
        Path err = Files.createTempFile(workDir, "curl", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl did not finish: " + cmd);
        }
        return new Result(p.exitValue(), Files.readAllBytes(out), Files.readString(err));
    }
}
