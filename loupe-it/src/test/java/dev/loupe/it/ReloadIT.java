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

    IcapServers icap;

    @BeforeEach
    void origins() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        Origins.writeOffsetPattern(origins.www.resolve("20m.bin"), SIZE);
        Files.writeString(origins.www.resolve("eicar.com"), IcapServers.EICAR);
        port = Partners.freePort();
        adminPort = Partners.freePort();
        config = dir.resolve("loupe.yaml");
    }

    private void startGateway(String extra) throws Exception {
        writeConfig(extra);
        Files.writeString(dir.resolve("good.yaml"), Files.readString(config)); // the CLI reads admin port and token
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
        if (icap != null) {
            icap.close();
        }
    }

    /** Two ICAP services: {@code urls} (REQMOD on c-icap 0) never changes; {@code av} (RESPMOD on c-icap 1) does. */
    private String icapSection(String avHosts) {
        return """
                icap:
                  services:
                    - {name: urls, mode: reqmod, servers: [%s]}
                    - {name: av, mode: respmod, servers: [%s], hosts: [%s]}
                """.formatted(icap.urlCheckUri(0), icap.uri(1), avHosts);
    }

    @Test
    void aReloadOfRulesIcapAndMirrorAppliesToNewConnectionsWhileOpenOnesCarryOn() throws Exception {
        icap = IcapServers.start(dir.resolve("icap"), 2);
        startGateway(icapSection("never.test"));
        assertThat(fetch("pushed.test")).endsWith("\n200");
        assertThat(fetchPath(Origins.HOST, "/eicar.com")).as("av scans only never.test yet").endsWith("\n200");
        assertThat(fetch(IcapServers.BLOCKED_HOST)).as("urls (REQMOD url_check)").endsWith("\n403");
        Socket session = DecryptedSessions.open(port, origins, dir.resolve("data/ca.crt"));
        Path out = dir.resolve("20m.out");
        Process download = new ProcessBuilder(Partners.require("curl"), "--silent", "--show-error", "--max-time", "60",
                "-x", "http://127.0.0.1:" + port, "--cacert", dir.resolve("data/ca.crt").toString(),
                "--limit-rate", "4M", "-o", out.toString(), origins.url(Site.GOOD, "/20m.bin"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("curl.out").toFile()).start();
        awaitSize(out, 1024 * 1024);
        java.util.Set<Integer> urlsPool = icapConnections(0);
        java.util.Set<Integer> avPool = icapConnections(1);
        assertThat(urlsPool).as("pooled connections to c-icap 0").isNotEmpty();
        assertThat(avPool).as("pooled connections to c-icap 1 (OPTIONS)").isNotEmpty();

        Path pcaps = dir.resolve("pcap");
        writeConfig("""
                policy:
                  rules:
                    - {name: reloaded-block, hosts: [pushed.test], action: block}
                mirror: {sinks: [{type: pcap-file, directory: %s}]}
                """.formatted(pcaps) + icapSection(".test"));
        long sent = System.nanoTime();
        signal("HUP");
        awaitLog("configuration reloaded");
        System.out.printf("reload: SIGHUP to applied in %d ms (gateway says: %s)%n",
                (System.nanoTime() - sent) / 1_000_000, lastLine("configuration reloaded"));
        assertThat(lastLine("ICAP reconfigured")).contains("1 service(s) kept", "1 started", "1 retired");
        assertThat(fetch("pushed.test")).as("a new connection meets the new rule").endsWith("\n403")
                .contains("reloaded-block");
        assertThat(fetchPath(Origins.HOST, "/eicar.com")).as("a new connection meets the changed av service")
                .endsWith("\n403").contains("VIRUS FOUND");
        assertThat(fetch(IcapServers.BLOCKED_HOST)).as("the unchanged urls service").endsWith("\n403");
        assertThat(DecryptedSessions.request(session, "/index.html")).as("the keep-alive session opened before the reload")
                .startsWith("HTTP/1.1 200");
        assertThat(DecryptedSessions.request(session, "/eicar.com"))
                .as("the session opened before the reload finishes on its snapshot: av did not scan upstream.test")
                .startsWith("HTTP/1.1 200").contains("EICAR-STANDARD-ANTIVIRUS-TEST-FILE");
        assertThat(icapConnections(0)).as("the unchanged service kept its connections (no reconnect)")
                .containsAll(urlsPool);
        assertThat(icapConnections(1)).as("the changed service's old connections were closed")
                .doesNotContainAnyElementsOf(avPool);
        awaitMirrored(pcaps, "/eicar.com");

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
                ca: {common-name: Another CA}
                """ + icapSection(".test"));
        LoupeProcess.Result restart = LoupeProcess.run(dir, "reload", "--config", dir.resolve("good.yaml").toString(),
                "--admin-port", String.valueOf(adminPort));
        assertThat(restart.exitCode()).isEqualTo(1);
        assertThat(restart.stderr()).contains("refused").contains("need a restart: ca");
        LoupeProcess.Result diff = LoupeProcess.run(dir, "config", "diff", dir.resolve("good.yaml").toString(),
                config.toString());
        assertThat(diff.stdout()).contains("ca  (needs a restart)").contains("icap  (reloadable)");

        assertThat(Partners.finish(download)).as(Files.readString(dir.resolve("curl.out"))).isZero();
        assertThat(Origins.sha256(out)).isEqualTo(Origins.sha256(origins.www.resolve("20m.bin")));
        assertThat(metrics()).contains("loupe_config_reloads_total{result=\"applied\"} 1.0")
                .contains("loupe_config_reloads_total{result=\"invalid\"} 1.0")
                .contains("loupe_config_reloads_total{result=\"refused\"} 1.0");
        session.close();
    }

    @Test
    void movedListenersAndAdminRebindAndTheAccessLogChangesFile() throws Exception {
        startGateway("");
        Socket session = DecryptedSessions.open(port, origins, dir.resolve("data/ca.crt"));
        int oldPort = port;
        int oldAdmin = adminPort;
        port = Partners.freePort();
        adminPort = Partners.freePort();
        Path newLog = dir.resolve("logs/moved.log");
        writeConfig("");
        Files.writeString(config, Files.readString(config).replace(dir.resolve("access.log").toString(),
                newLog.toString()));
        signal("HUP");
        awaitLog("configuration reloaded");
        assertThat(lastLine("configuration reloaded")).contains("listener").contains("access-log").contains("admin");
        assertThat(metrics()).as("the admin API on its new port").contains("loupe_config_reloads_total");
        try (Socket refused = new Socket()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> refused.connect(new java.net.InetSocketAddress("127.0.0.1", oldAdmin), 2_000))
                    .as("the old admin port is closed").isInstanceOf(java.net.ConnectException.class);
        }
        assertThat(fetch("upstream.test")).as("the new listener").endsWith("\n200");
        assertThat(DecryptedSessions.request(session, "/index.html"))
                .as("a connection accepted on the old listener carries on").startsWith("HTTP/1.1 200");
        try (Socket refused = new Socket()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> refused.connect(new java.net.InetSocketAddress("127.0.0.1", oldPort), 2_000))
                    .as("the old listener is closed").isInstanceOf(java.net.ConnectException.class);
        }
        long deadline = System.currentTimeMillis() + 5_000;
        while (!Files.exists(newLog) || !Files.readString(newLog).contains("upstream.test")) {
            assertThat(System.currentTimeMillis()).as("records in the new access-log file").isLessThan(deadline);
            Thread.sleep(20);
        }
        assertThat(Files.readString(dir.resolve("access.log"))).as("records before the reload stay in the old file")
                .contains("\"type\":\"connection\"");
        session.close();
    }

    @Test
    void theGatewayRunsTheConfiguredEventLoopsAndAChangeNeedsARestart() throws Exception {
        startGateway("runtime: {event-loops: 1}\n");
        Socket session = DecryptedSessions.open(port, origins, dir.resolve("data/ca.crt"));
        assertThat(DecryptedSessions.request(session, "/index.html")).startsWith("HTTP/1.1 200");
        assertThat(fetch("upstream.test")).endsWith("\n200");
        assertThat(ioThreads()).as("threads named loupe-io").isEqualTo(1);
        assertThat(lastLine("Loupe listening on")).contains("1 event loops");

        writeConfig("runtime: {event-loops: 2}\n");
        LoupeProcess.Result restart = LoupeProcess.run(dir, "reload", "--config", dir.resolve("good.yaml").toString(),
                "--admin-port", String.valueOf(adminPort));
        assertThat(restart.exitCode()).isEqualTo(1);
        assertThat(restart.stderr()).contains("refused").contains("need a restart: runtime");
        assertThat(ioThreads()).as("still one loop after the refused reload").isEqualTo(1);
        assertThat(DecryptedSessions.request(session, "/index.html")).startsWith("HTTP/1.1 200");
        session.close();
    }

    /** The gateway's threads whose name (as the kernel has it, /proc/PID/task/N/comm) starts with loupe-io. */
    private long ioThreads() throws Exception {
        try (var tasks = Files.list(Path.of("/proc/" + gateway.pid() + "/task"))) {
            return tasks.filter(t -> {
                try {
                    return Files.readString(t.resolve("comm")).startsWith("loupe-io");
                } catch (java.io.IOException gone) {
                    return false; // a thread that ended while listed
                }
            }).count();
        }
    }

    @Test
    void fiftyReloadsUnderARequestLoopLoseNothingAndLeakNoDescriptorOrIcapConnection() throws Exception {
        icap = IcapServers.start(dir.resolve("icap"), 1);
        // every reload changes the ICAP service: its pool is replaced each time, and the old one must close
        java.util.function.IntFunction<String> av = preview -> """
                icap: {services: [{name: av, mode: respmod, servers: [%s], preview: %d}]}
                """.formatted(icap.uri(0), preview);
        startGateway(av.apply(1024));
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
            writeConfig((i % 2 == 0 ? "policy: {rules: [{name: r" + i + ", hosts: [never.test], action: block}]}\n" : "")
                    + av.apply(i % 2 == 0 ? 2048 : 1024));
            signal("HUP");
            awaitCount("SIGHUP: configuration reload applied", i + 1);
        }
        load.join(120_000);
        assertThat(done.get()).isEqualTo(150);
        assertThat(failures.get()).as("requests lost during 50 reloads: " + failed).isZero();
        Thread.sleep(500);
        assertThat(openDescriptors()).as("file descriptors of the gateway").isLessThanOrEqualTo(fdsBefore + 8);
        assertThat(icapConnections(0)).as("connections to c-icap after 50 pools were replaced (2 event loops)")
                .hasSizeLessThanOrEqualTo(6);
        assertThat(Files.readString(dir.resolve("access.log"))).as("every request was scanned by av")
                .doesNotContain("\"result\":\"error\"");
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
    }

    private String fetch(String host) throws Exception {
        return fetchPath(host, "/index.html");
    }

    private String fetchPath(String host, String path) throws Exception {
        return Curl.run(dir, "-x", "http://127.0.0.1:" + port, "-w", "\n%{http_code}",
                "http://" + host + ":" + origins.plainPort + path).text();
    }

    /** The local ports of the gateway's connections to c-icap {@code server} (only Loupe talks to it). */
    private java.util.Set<Integer> icapConnections(int server) throws Exception {
        Process ss = new ProcessBuilder(Partners.require("ss"), "-tnaH").redirectErrorStream(true).start();
        String text = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ss.waitFor();
        java.util.Set<Integer> ports = new java.util.TreeSet<>();
        for (String line : text.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            // ESTAB recv-q send-q local peer; the gateway's sockets print as [::ffff:127.0.0.1]:port
            if (f.length >= 5 && f[0].equals("ESTAB") && f[4].endsWith(":" + icap.ports.get(server))) {
                ports.add(Integer.parseInt(f[3].substring(f[3].lastIndexOf(':') + 1)));
            }
        }
        return ports;
    }

    /** A pcap file under {@code directory} carrying {@code marker} (the mirror sink the reload added). */
    private static void awaitMirrored(Path directory, String marker) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            if (Files.isDirectory(directory)) {
                try (var files = Files.list(directory)) {
                    for (Path f : files.toList()) {
                        if (new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(marker)) {
                            return;
                        }
                    }
                }
            }
            assertThat(System.currentTimeMillis()).as("a mirrored packet with " + marker).isLessThan(deadline);
            Thread.sleep(50);
        }
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
