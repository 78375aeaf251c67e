package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs ip/netns commands, and programs inside namespaces, for tests that build their own labs (needs root). */
final class Net {
    private Net() {
    }

    static void run(String... cmd) throws Exception {
        cmd[0] = Partners.require(cmd[0]);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(Partners.finish(p)).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    static ProcessBuilder inNamespace(String ns, String... cmd) {
        List<String> full = new ArrayList<>(List.of(Partners.require("ip"), "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return new ProcessBuilder(full);
    }

    /** curl inside {@code ns} (silent, errors shown, 20 s at most, no proxy from the environment). */
    static Curl.Result curl(Path dir, String ns, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Partners.require("curl"), "--silent", "--show-error",
                "--max-time", "20", "--noproxy", "*"));
        cmd.addAll(args);
        Path out = Files.createTempFile(dir, "curl", ".out");
        Process p = inNamespace(ns, cmd.toArray(String[]::new)).redirectOutput(out.toFile()).start();
        String err = new String(p.getErrorStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return new Curl.Result(p.exitValue(), Files.readAllBytes(out), err);
    }

    /** curl inside {@code ns} trusting {@code ca}, with origin.test resolved to {@code server} port 443. */
    static Curl.Result curlOrigin(Path dir, String ns, Path ca, String server, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--cacert", ca.toString(), "--resolve", "origin.test:443:" + server));
        all.addAll(List.of(args));
        return curl(dir, ns, all);
    }

    /** Loupe in its own JVM inside {@code ns}, output to {@code out}; returns once it printed {@code ready}. */
    static Process startLoupe(String ns, Path config, Path out, String ready) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Partners.require("ip"), "netns", "exec", ns));
        cmd.addAll(LoupeProcess.builder(List.of("-Xmx256m"), "run", "--config", config.toString()).command());
        Process loupe = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!Files.readString(out).contains(ready)) {
            assertThat(loupe.isAlive()).as(Files.readString(out)).isTrue();
            assertThat(System.currentTimeMillis()).as("Loupe start").isLessThan(deadline);
            Thread.sleep(100);
        }
        return loupe;
    }

    /** A veth pair between two namespaces, addressed and up on both ends. */
    static void veth(String ns1, String dev1, String addr1, String ns2, String dev2, String addr2) throws Exception {
        run("ip", "link", "add", dev1, "netns", ns1, "type", "veth", "peer", "name", dev2, "netns", ns2);
        run("ip", "-n", ns1, "addr", "add", addr1, "dev", dev1);
        run("ip", "-n", ns2, "addr", "add", addr2, "dev", dev2);
        run("ip", "-n", ns1, "link", "set", dev1, "up");
        run("ip", "-n", ns2, "link", "set", dev2, "up");
    }

    /**
     * The text of {@code file} once it contains {@code fragment} (10 s at most); otherwise fails with the file
     * and {@code gatewayOut} (the gateway's console output) for the reader.
     */
    static String awaitFile(Path file, String fragment, Path gatewayOut) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        String text = "";
        while (System.currentTimeMillis() < deadline) {
            text = Files.exists(file) ? Files.readString(file) : "";
            if (text.contains(fragment)) {
                return text;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + fragment + "' in " + file + ":\n" + text + "\n" + gatewayOut + ":\n"
                + (Files.exists(gatewayOut) ? Files.readString(gatewayOut) : ""));
    }

    /** Stops what a lab started (by PID) and deletes its namespaces, with the veth pairs in them. */
    static void teardown(List<Process> processes, List<String> namespaces) throws Exception {
        for (Process p : processes) {
            if (p != null) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        for (String ns : namespaces) {
            new ProcessBuilder("ip", "netns", "del", ns).start().waitFor();
        }
    }
}
