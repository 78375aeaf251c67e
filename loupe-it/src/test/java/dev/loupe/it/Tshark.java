package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real tshark on a capture file and returns what it printed. */
final class Tshark {
    private Tshark() {
    }

    static String read(Path capture, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Partners.require("tshark"), "-r", capture.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("tshark " + cmd + ": " + err).isZero();
        return out;
    }

    /** Lines flagged by tshark's TCP analysis or checksum validation; empty for a well-formed capture. */
    static String problems(Path capture) throws Exception {
        return read(capture, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-Y", "tcp.analysis.flags || tcp.checksum.status == \"Bad\" || ip.checksum.status == \"Bad\"");
    }
}
