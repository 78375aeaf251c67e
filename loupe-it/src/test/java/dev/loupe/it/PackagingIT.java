package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What operators install from (packaging/): the systemd unit passes systemd-analyze (verify, and the offline
 * security review), the Grafana dashboard queries only metrics a running gateway exports, and the access-log file
 * is reopened on SIGUSR1 as the logrotate configuration expects.
 */
class PackagingIT {
    static final Path PACKAGING = Path.of("..", "packaging").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void theSystemdUnitVerifiesAndIsHardened() throws Exception {
        // systemd-analyze refuses an ExecStart that does not exist on this machine: point it at the repo's launcher
        Path unit = dir.resolve("loupe.service");
        Files.writeString(unit, Files.readString(PACKAGING.resolve("systemd/loupe.service"))
                .replace("/opt/loupe/loupe", Path.of("..", "loupe").toAbsolutePath().normalize().toString()));
        String verify = run(Partners.require("systemd-analyze"), "verify", unit.toString());
        assertThat(verify).as("systemd-analyze verify prints only problems (unknown keys and bad values too)").isEmpty();
        String security = run(Partners.require("systemd-analyze"), "security", "--offline=true", unit.toString());
        Matcher m = Pattern.compile("Overall exposure level for loupe.service: ([0-9.]+)").matcher(security);
        assertThat(m.find()).as(security).isTrue();
        assertThat(Double.parseDouble(m.group(1))).as("exposure (0 safe .. 10 unprotected)").isLessThan(4.0);
        assertThat(security).contains("✓ PrivateTmp=").contains("✓ ProtectSystem=").contains("✓ NoNewPrivileges=");
        // transparent mode adds exactly one capability, in a drop-in
        String dropIn = Files.readString(PACKAGING.resolve("systemd/loupe-transparent.conf"));
        assertThat(dropIn).contains("AmbientCapabilities=CAP_NET_ADMIN\n").contains("CapabilityBoundingSet=CAP_NET_ADMIN\n");
    }

    @Test
    void theGrafanaDashboardQueriesOnlyMetricsTheGatewayExports() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(PACKAGING.resolve("grafana/loupe-dashboard.json").toFile());
        Set<String> queried = new TreeSet<>();
        Pattern metric = Pattern.compile("\\b(loupe_[a-z_]+)\\b");
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = metric.matcher(target.path("expr").asText());
                while (m.find()) {
                    queried.add(m.group(1));
                }
            }
        }
        assertThat(queried).hasSizeGreaterThan(10);
        try (Origins origins = Origins.start(dir.resolve("origins"));
             GatewayUnderTest loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                     icap:
                       services:
                         - {name: av, mode: respmod, servers: ['icap://127.0.0.1:9/avscan'], failure-mode: fail-open}
                     mirror:
                       sinks: [{type: pcap-file, directory: %s}]
                     inline:
                       return-port: 0
                       services:
                         - {name: filter, devices: ["127.0.0.1:9"], failure-mode: fail-open}
                     """.formatted(dir.resolve("pcap")))) {
            // traffic, so that every labelled series exists at least once
            Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                    origins.url(Origins.Site.GOOD, "/index.html"));
            Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                    origins.url(Origins.Site.EXPIRED, "/index.html"));
            // a connection to Loupe's own listener is refused: loupe_refusals_total then has a series
            RawProxyClient.connect(loupe.port, "127.0.0.1:" + loupe.port);
            Thread.sleep(500);
            String scrape = loupe.metrics();
            List<String> missing = new ArrayList<>();
            for (String name : queried) {
                if (!Pattern.compile("(?m)^" + name + "[{ ]").matcher(scrape).find()) {
                    missing.add(name);
                }
            }
            assertThat(missing).as("queried by the dashboard but not in /metrics:\n" + scrape).isEmpty();
        }
    }

    @Test
    void theAccessLogFileIsReopenedOnSigusr1AsLogrotateExpects() throws Exception {
        int port = Partners.freePort();
        Path log = dir.resolve("access.log");
        Path config = dir.resolve("loupe.yaml");
        Files.writeString(config, """
                data-dir: %s
                listener: {port: %d}
                admin: {port: 0}
                access-log: {target: %s}
                """.formatted(dir.resolve("data"), port, log));
        Process gateway = LoupeProcess.builder(List.of(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("gateway.out").toFile()).start();
        try {
            Partners.awaitPort(port, 30_000);
            Curl.run(dir, "http://127.0.0.1:" + port + "/?before-rotation");
            awaitLines(log, 1);
            Path rotated = dir.resolve("access.log.1");
            Files.move(log, rotated); // what logrotate does first
            int moved = Files.readAllLines(rotated).size();
            Curl.run(dir, "http://127.0.0.1:" + port + "/?between");
            awaitLines(rotated, moved + 1); // still written to the moved file until the signal
            run("kill", "-USR1", String.valueOf(gateway.pid()));
            awaitFile(dir.resolve("gateway.out"), "access log reopened");
            Curl.run(dir, "http://127.0.0.1:" + port + "/?after-rotation");
            awaitLines(log, 1);
            // Loupe's own page leaves a connection line per request (ids count up): the lines written before the
            // signal (the port probe, before, between) are in the moved file, the one after it in the new file
            List<Long> before = ids(rotated);
            List<Long> after = ids(log);
            assertThat(before).as("moved file").hasSizeGreaterThanOrEqualTo(2);
            assertThat(after).as("new file").hasSize(1);
            assertThat(after.get(0)).isGreaterThan(before.stream().mapToLong(Long::longValue).max().orElseThrow());
            assertThat(gateway.isAlive()).isTrue();
        } finally {
            gateway.destroy();
            gateway.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void theContainerImageBuildsOfflineRunsAsNonRootAndDrainsOnStop() throws Exception {
        String podman = null;
        for (String dirName : new String[] {"/usr/bin", "/usr/local/bin"}) {
            if (Files.isExecutable(Path.of(dirName, "podman"))) {
                podman = dirName + "/podman";
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(podman != null,
                "podman is not installed: the container build is skipped (.ci/run installs podman, buildah, runc)");
        // podman's defaults do not work on this kind of machine (hybrid cgroups, no CAP_SYS_RESOURCE): own config
        Path conf = Files.writeString(dir.resolve("containers.conf"), """
                [containers]
                default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
                [engine]
                cgroup_manager = "cgroupfs"
                events_logger = "file"
                events_logfile_path = "%1$s/events.log"
                runtime = "runc"
                [network]
                network_backend = "cni"
                """.formatted(dir));
        Path storage = Files.writeString(dir.resolve("storage.conf"), """
                [storage]
                driver = "overlay"
                graphroot = "%1$s/graph"
                runroot = "%1$s/run"
                """.formatted(dir));
        java.util.Map<String, String> env = java.util.Map.of("CONTAINERS_CONF", conf.toString(),
                "CONTAINERS_STORAGE_CONF", storage.toString());
        String tag = "localhost/loupe-it:" + ProcessHandle.current().pid();
        String built = runIn(env, Path.of("..").toAbsolutePath().normalize().resolve("packaging/container/build.sh")
                .toString(), tag);
        assertThat(built.strip()).endsWith(tag);
        int port = Partners.freePort();
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(etc.resolve("loupe.yaml"), "data-dir: /var/lib/loupe\nlistener: {address: 127.0.0.1, port: "
                + port + "}\nadmin: {port: 0}\n");
        Path data = Files.createDirectories(dir.resolve("data"));
        run("chown", "10001:10001", data.toString());
        String name = "loupe-it-" + ProcessHandle.current().pid();
        runIn(env, podman, "run", "-d", "--name", name, "--network", "host", "-v", etc + ":/etc/loupe:ro",
                "-v", data + ":/var/lib/loupe", tag);
        try {
            Partners.awaitPort(port, 60_000);
            Curl.Result ca = Curl.run(dir, "http://127.0.0.1:" + port + "/loupe-ca.pem");
            assertThat(ca.text()).contains("BEGIN CERTIFICATE");
            assertThat(runIn(env, podman, "exec", name, "/opt/java/bin/java", "-XshowSettings:properties", "-version"))
                    .contains("user.name = loupe");
            var key = data.resolve("ca.key");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                    .isEqualTo("rw-------");
            assertThat(Files.getAttribute(key, "unix:uid")).as("created by the image's non-root user").isEqualTo(10001);
            runIn(env, podman, "stop", "-t", "40", name); // SIGTERM: the node drains and exits 0
            assertThat(runIn(env, podman, "inspect", "-f", "{{.State.ExitCode}}", name).strip()).isEqualTo("0");
        } finally {
            ProcessBuilder rm = new ProcessBuilder(podman, "rm", "-f", name);
            rm.environment().putAll(env);
            rm.start().waitFor(30, TimeUnit.SECONDS);
            ProcessBuilder rmi = new ProcessBuilder(podman, "rmi", "-f", tag);
            rmi.environment().putAll(env);
            rmi.start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String runIn(java.util.Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish: " + String.join(" ", cmd));
        }
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }

    private static List<Long> ids(Path file) throws Exception {
        List<Long> ids = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            ids.add(Long.parseLong(new ObjectMapper().readTree(line).path("id").asText(), 36));
        }
        return ids;
    }

    private static void awaitLines(Path file, int count) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!Files.exists(file) || Files.readAllLines(file).size() < count) {
            assertThat(System.currentTimeMillis()).as(file + " lines").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void awaitFile(Path file, String fragment) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!Files.readString(file).contains(fragment)) {
            assertThat(System.currentTimeMillis()).as(Files.readString(file)).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(Partners.finish(p)).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }
}
