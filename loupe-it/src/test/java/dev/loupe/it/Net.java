package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs ip/netns commands for tests that build their own network namespaces (needs root). */
final class Net {
    private Net() {
    }

    static void run(String... cmd) throws Exception {
        cmd[0] = Partners.require(cmd[0]);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    }
}
