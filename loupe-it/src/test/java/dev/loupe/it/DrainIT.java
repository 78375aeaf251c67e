package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node leaving gracefully, as a real process: SIGTERM (or {@code loupe drain}) makes its health check say
 * draining at once, the proxy port refuses new connections (after {@code shutdown.announce-delay}), a download
 * in flight completes byte-exact, and the process exits 0 within {@code shutdown.drain-timeout}.
 */
class DrainIT {
    static final long SIZE = 50L * 1024 * 1024;

    @TempDir
    Path dir;
    private Origins origins;
    private Process gateway;
    private int port;
    private int adminPort;
    private Path config;

    @BeforeEach
    void origins() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        Origins.writeOffsetPattern(origins.www.resolve("50m.bin"), SIZE);
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroyForcibly();
            gateway.waitFor(10, TimeUnit.SECONDS);
        }
        origins.close();
    }

    @Test
    void sigtermLetsTheDownloadInFlightFinishRefusesNewConnectionsAndExitsZero() throws Exception {
        startGateway("shutdown: {drain-timeout: 30s}\n");
        assertThat(health()).contains("\"ok\"");
        Path out = dir.resolve("50m.out");
        Process download = new ProcessBuilder(Partners.require("curl"), "--silent", "--show-error", "--max-time", "60",
                "-x", "http://127.0.0.1:" + port, "--cacert", dir.resolve("data/ca.crt").toString(),
                "--limit-rate", "10M", "-o", out.toString(), origins.url(Site.GOOD, "/50m.bin"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("curl.out").toFile()).start();
        awaitGrowing(out, 2L * 1024 * 1024);

        long signalled = System.nanoTime();
        gateway.destroy(); // SIGTERM
        awaitRefused(port, 2_000);
        long refusedAfterMs = (System.nanoTime() - signalled) / 1_000_000;
        assertThat(health()).as("health while draining").contains("503").contains("draining");
        assertThat(download.isAlive()).as("the download is still running when new connections are refused").isTrue();

        assertThat(Partners.finish(download)).as(Files.readString(dir.resolve("curl.out"))).isZero();
        assertThat(Files.size(out)).isEqualTo(SIZE);
        assertThat(Origins.sha256(out)).isEqualTo(Origins.sha256(origins.www.resolve("50m.bin")));
        assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).as("exited within drain-timeout").isTrue();
        assertThat(gateway.exitValue()).as(gatewayOutput()).isZero();
        assertThat(refusedAfterMs).as("new connections refused at once").isLessThan(1_500);
        assertThat(gatewayOutput()).contains("draining (SIGTERM)").contains("drained: no connection left");
    }

    @Test
    void loupeDrainAnnouncesFirstThenClosesWhatOutlivesTheDrainTimeout() throws Exception {
        startGateway("shutdown: {announce-delay: 1500ms, drain-timeout: 1s}\n");
        assertThat(LoupeProcess.run(dir, "health", "--config", config.toString()).exitCode()).isZero();
        // an idle tunnel that would hold the node forever if nothing closed it
        Socket idle = new Socket("127.0.0.1", port);
        idle.getOutputStream().write(("CONNECT " + Origins.HOST + ":" + origins.ports.get(Site.GOOD)
                + " HTTP/1.1\r\nHost: " + Origins.HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        idle.setSoTimeout(10_000);
        assertThat(readHead(idle)).startsWith("HTTP/1.1 200");

        LoupeProcess.Result drain = LoupeProcess.run(dir, "drain", "--config", config.toString());
        assertThat(drain.exitCode()).as(drain.stderr()).isZero();
        long drained = System.nanoTime();
        LoupeProcess.Result health = LoupeProcess.run(dir, "health", "--config", config.toString());
        assertThat(health.exitCode()).as("health exit code while draining").isEqualTo(1);
        assertThat(health.stdout()).contains("draining");
        // within the announce delay the node still accepts (the VRRP address has not moved yet)
        if ((System.nanoTime() - drained) / 1_000_000 < 1_200) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            }
        }
        awaitRefused(port, 4_000);
        // the gateway's own clock: from the drain request to the closed listener is the announce delay
        assertThat(millisBetween(gatewayOutput(), "draining (admin API)", "stopped accepting new connections"))
                .as("listener closed after the announce delay").isBetween(1_450L, 3_000L);
        // the idle tunnel outlives drain-timeout: it is closed, and the node exits 0
        assertThat(idle.getInputStream().read()).isEqualTo(-1);
        assertThat(gateway.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(gateway.exitValue()).as(gatewayOutput()).isZero();
        assertThat((System.nanoTime() - drained) / 1_000_000).as("announce + drain timeout + closing")
                .isLessThan(8_000);
        assertThat(gatewayOutput()).contains("draining (admin API)").contains("drain timeout (PT1S) reached");
        idle.close();
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedWhenTheNodeStopsAcceptingSoItNeedNotWaitForTheTimeout() throws Exception {
        startGateway("shutdown: {drain-timeout: 30s}\n");
        Socket keepAlive = new Socket("127.0.0.1", port);
        keepAlive.setSoTimeout(10_000);
        String request = "GET http://upstream.test:" + origins.plainPort + "/index.html HTTP/1.1\r\nHost: upstream.test:"
                + origins.plainPort + "\r\n\r\n";
        keepAlive.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        String head = readHead(keepAlive);
        assertThat(head).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
        int length = Integer.parseInt(head.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .findFirst().orElseThrow().substring(15).strip());
        keepAlive.getInputStream().readNBytes(length); // the connection is now idle, kept alive
        long signalled = System.nanoTime();
        gateway.destroy(); // SIGTERM
        assertThat(keepAlive.getInputStream().read()).as("closed by the drain").isEqualTo(-1);
        assertThat(gateway.waitFor(10, TimeUnit.SECONDS)).as("not held for the 30 s drain timeout").isTrue();
        assertThat(gateway.exitValue()).isZero();
        assertThat((System.nanoTime() - signalled) / 1_000_000).isLessThan(10_000);
        assertThat(gatewayOutput()).contains("drained: no connection left");
        keepAlive.close();
    }

    private void startGateway(String extraYaml) throws Exception {
        port = Partners.freePort();
        adminPort = Partners.freePort();
        config = dir.resolve("loupe.yaml");
        Files.writeString(config, """
                data-dir: %s
                listener: {port: %d}
                upstream: {extra-ca-bundles: [%s], local-destinations: allow}
                resolver: {hosts-file: %s, nameservers: ["127.0.0.1:%d"], query-timeout: 500ms}
                access-log: {target: %s}
                admin: {port: %d}
                """.formatted(dir.resolve("data"), port, origins.originCa, origins.hostsFile, Partners.freePort(),
                dir.resolve("access.log"), adminPort) + extraYaml);
        gateway = LoupeProcess.builder(List.of(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("gateway.out").toFile()).start();
        Partners.awaitPort(port, 30_000);
        Partners.awaitPort(adminPort, 10_000);
    }

    /** The status line and body of GET /health, asked without the token as a balancer would. */
    private String health() throws Exception {
        Curl.Result r = Curl.run(dir, "-i", "http://127.0.0.1:" + adminPort + "/health");
        return r.text();
    }

    /** Milliseconds between the log lines containing {@code first} and {@code second} (HH:mm:ss.SSS stamps). */
    private static long millisBetween(String log, String first, String second) {
        return stamp(log, second) - stamp(log, first);
    }

    private static long stamp(String log, String fragment) {
        String line = log.lines().filter(l -> l.contains(fragment)).findFirst()
                .orElseThrow(() -> new AssertionError("no log line with '" + fragment + "' in:\n" + log));
        return java.time.LocalTime.parse(line.substring(0, 12)).toNanoOfDay() / 1_000_000;
    }

    private static String readHead(Socket s) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = s.getInputStream().read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private String gatewayOutput() throws IOException {
        return Files.readString(dir.resolve("gateway.out"));
    }

    private static void awaitGrowing(Path file, long atLeast) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(file) && Files.size(file) >= atLeast) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(file + " did not reach " + atLeast + " bytes");
    }

    private static void awaitRefused(int port, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            } catch (java.net.ConnectException e) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("127.0.0.1:" + port + " still accepts after " + timeoutMillis + " ms");
    }
}
