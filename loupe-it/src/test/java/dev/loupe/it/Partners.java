package dev.loupe.it;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the real partner programs. A missing partner fails the test loudly instead of skipping
 * it: `.ci/run` installs them all, so absence means a broken setup, not an optional feature.
 */
final class Partners {
    private Partners() {
    }

    static String require(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin"}) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError(program + " is not installed; run .ci/run (or apt-get install it) first");
    }

    static int freePort() {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void awaitPort(int port, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            try (var s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(20);
            }
        }
        throw new AssertionError("nothing listening on 127.0.0.1:" + port + " after " + timeoutMillis + " ms");
    }

    /** Waits for a client process to end, at most two minutes: a hung partner fails the test, never CI. */
    static int finish(Process p) throws InterruptedException {
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("process did not finish within 120 s: " + p.info().commandLine().orElse("?"));
        }
        return p.exitValue();
    }

    /** Closes what a test class started, in order, skipping what never started. */
    static void closeAll(AutoCloseable... started) throws Exception {
        for (AutoCloseable c : started) {
            if (c != null) {
                c.close();
            }
        }
    }
}
