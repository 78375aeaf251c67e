package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration reload of a running node (a real process): SIGHUP and {@code loupe reload} apply a new rule to new
 * connections while a keep-alive HTTPS session and a download in flight carry on; an invalid file and a change that
 * needs a restart are refused and traffic goes on; 50 reloads under a request loop lose no request and leak no file
 * descriptor.
 */
class ReloadIT {
    static final long SIZE = 20L * 1024 * 1024;

    @TempDir
    Path dir;
    Origins origins;
    Process gateway;
    int port;
    int adminPort;
    Path config;

    @BeforeEach
    void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        Origins.writeOffsetPattern(origins.www.resolve("20m.bin"), SIZE);
        port = Partners.freePort();
        adminPort = Partners.freePort();
        config = dir.resolve("loupe.yaml");
        writeConfig("");
        gateway = LoupeProcess.builder(List.of(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("gateway.out").toFile()).start();
        Partners.awaitPort(port, 30_000);
        Partners.awaitPort(adminPort, 10_000);
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.destroy();
            gateway.waitFor(30, TimeUnit.SECONDS);
        }
        origins.close();
    }

    @Test
    void aNewRuleAppliesToNewConnectionsWhileOpenOnesCarryOn() throws Exception {
        assertThat(fetch("pushed.test")).endsWith("\n200");
        Socket session = DecryptedSessions.open(port, origins, dir.resolve("data/ca.crt"));
        Path out = dir.resolve("20m.out");
        Process download = new ProcessBuilder(Partners.require("curl"), "--silent", "--show-error", "--max-time", "60",
                "-x", "http://127.0.0.1:" + port, "--cacert", dir.resolve("data/ca.crt").toString(),
                "--limit-rate", "4M", "-o", out.toString(), origins.url(Site.GOOD, "/20m.bin"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("curl.out").toFile()).start();
        awaitSize(out, 1024 * 1024);

        writeConfig("""
                policy:
                  rules:
                    - {name: reloaded-block, hosts: [pushed.test], action: block}
                """);
        long sent = System.nanoTime();
        signal("HUP");
        awaitLog("configuration reloaded");
        System.out.printf("reload: SIGHUP to applied in %d ms (gateway says: %s)%n",
                (System.nanoTime() - sent) / 1_000_000, lastLine("configuration reloaded"));
        assertThat(fetch("pushed.test")).as("a new connection meets the new rule").endsWith("\n403")
                .contains("reloaded-block");
        assertThat(DecryptedSessions.request(session, "/index.html")).as("the keep-alive session opened before the reload")
                .startsWith("HTTP/1.1 200");

        // an invalid file: refused with the field, the running configuration stays
        Files.writeString(config, Files.readString(config) + "limits: {idle-timeout: soon}\n");
        LoupeProcess.Result invalid = LoupeProcess.run(dir, "reload", "--config", dir.resolve("good.yaml").toString(),
                "--admin-port", String.valueOf(adminPort));
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.stderr()).contains("invalid").contains("limits.idle-timeout");
        assertThat(fetch("pushed.test")).endsWith("\n403");
        assertThat(fetch("upstream.test")).endsWith("\n200");

        // a section that needs a restart: refused as a whole, with the reason
        writeConfig("""
                policy:
                  rules:
                    - {name: reloaded-block, hosts: [pushed.test], action: block}
                mirror: {sinks: [{type: pcap-file, directory: %s}]}
                """.formatted(dir.resolve("pcap")));
        LoupeProcess.Result restart = LoupeProcess.run(dir, "reload", "--config", dir.resolve("good.yaml").toString(),
                "--admin-port", String.valueOf(adminPort));
        assertThat(restart.exitCode()).isEqualTo(1);
        assertThat(restart.stderr()).contains("refused").contains("need a restart: mirror");
        LoupeProcess.Result diff = LoupeProcess.run(dir, "config", "diff", dir.resolve("good.yaml").toString(),
                config.toString());
        assertThat(diff.stdout()).contains("mirror  (needs a restart)");

        assertThat(Partners.finish(download)).as(Files.readString(dir.resolve("curl.out"))).isZero();
        assertThat(Origins.sha256(out)).isEqualTo(Origins.sha256(origins.www.resolve("20m.bin")));
        assertThat(metrics()).contains("loupe_config_reloads_total{result=\"applied\"} 1.0")
                .contains("loupe_config_reloads_total{result=\"invalid\"} 1.0")
                .contains("loupe_config_reloads_total{result=\"refused\"} 1.0");
        session.close();
    }

    @Test
    void fiftyReloadsUnderARequestLoopLoseNothingAndLeakNoDescriptor() throws Exception {
        // SIGHUP here (the other test drives loupe reload, the same code path behind the admin API)
        assertThat(fetch("upstream.test")).endsWith("\n200");
        long fdsBefore = openDescriptors();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        List<String> failed = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread load = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 150; i++) {
                try {
                    String r = fetch("upstream.test");
                    if (!r.endsWith("\n200")) {
                        failures.incrementAndGet();
                        failed.add(r);
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                    failed.add(e.toString());
                }
                done.incrementAndGet();
            }
        });
        for (int i = 0; i < 50; i++) {
            // two valid files in turn: a rule on another host, then none
            writeConfig(i % 2 == 0 ? "policy: {rules: [{name: r" + i + ", hosts: [never.test], action: block}]}\n" : "");
            signal("HUP");
            awaitCount("SIGHUP: configuration reload applied", i + 1);
        }
        load.join(120_000);
        assertThat(done.get()).isEqualTo(150);
        assertThat(failures.get()).as("requests lost during 50 reloads: " + failed).isZero();
        Thread.sleep(500);
        assertThat(openDescriptors()).as("file descriptors of the gateway").isLessThanOrEqualTo(fdsBefore + 8);
        assertThat(metrics()).contains("loupe_config_reloads_total{result=\"applied\"} 50.0");
    }

    private void writeConfig(String extra) throws Exception {
        String text = """
                data-dir: %s
                listener: {port: %d}
                upstream: {extra-ca-bundles: [%s], local-destinations: allow}
                resolver: {hosts-file: %s, nameservers: ["127.0.0.1:%d"], query-timeout: 500ms}
                access-log: {target: %s}
                admin: {port: %d}
                """.formatted(dir.resolve("data"), port, origins.originCa, origins.hostsFile,
                GatewayUnderTest.DEAD_DNS_PORT, dir.resolve("access.log"), adminPort) + extra;
        Files.writeString(config, text);
        if (extra.isEmpty() || extra.contains("reloaded-block") && !extra.contains("mirror")) {
            Files.writeString(dir.resolve("good.yaml"), text); // the CLI reads admin port and token from a valid file
        }
    }

    private String fetch(String host) throws Exception {
        return Curl.run(dir, "-x", "http://127.0.0.1:" + port, "-w", "\n%{http_code}",
                "http://" + host + ":" + origins.plainPort + "/index.html").text();
    }

    private String metrics() throws Exception {
        String token = Files.readString(dir.resolve("data/admin.token")).strip();
        return Curl.run(dir, "-H", "Authorization: Bearer " + token, "http://127.0.0.1:" + adminPort + "/metrics").text();
    }

    private long openDescriptors() throws Exception {
        try (var fds = Files.list(Path.of("/proc/" + gateway.pid() + "/fd"))) {
            return fds.count();
        }
    }

    private void signal(String name) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + name, String.valueOf(gateway.pid())).start();
        assertThat(p.waitFor()).isZero();
    }

    private void awaitLog(String fragment) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!Files.readString(dir.resolve("gateway.out")).contains(fragment)) {
            assertThat(System.currentTimeMillis()).as(Files.readString(dir.resolve("gateway.out"))).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private void awaitCount(String fragment, int count) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (Files.readString(dir.resolve("gateway.out")).lines().filter(l -> l.contains(fragment)).count() < count) {
            assertThat(System.currentTimeMillis()).as(fragment + " x" + count).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private String lastLine(String fragment) throws Exception {
        return Files.readString(dir.resolve("gateway.out")).lines().filter(l -> l.contains(fragment))
                .reduce((a, b) -> b).orElse("");
    }

    private static void awaitSize(Path file, long atLeast) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!Files.exists(file) || Files.size(file) < atLeast) {
            assertThat(System.currentTimeMillis()).as("download started").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

}
