package dev.loupe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.config.ConfigLoader;
import dev.loupe.core.config.LoupeConfig;
import dev.loupe.core.log.JsonLinesAccessLog;
import dev.loupe.core.pki.CaStore;
import dev.loupe.core.pki.CertificateAuthority;
import dev.loupe.gateway.Gateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Loupe running in the test JVM with a real listener, configured from YAML like an operator would. */
final class GatewayUnderTest implements AutoCloseable {
    /** A loopback port nothing listens on, the same for every gateway of a run (nodes of a cluster share it). */
    static final int DEAD_DNS_PORT = Partners.freePort();

    final Gateway gateway;
    final Path caPem;
    final Path accessLog;
    final int port;

    private GatewayUnderTest(Gateway gateway, Path caPem, Path accessLog) {
        this.gateway = gateway;
        this.caPem = caPem;
        this.accessLog = accessLog;
        this.port = gateway.address().getPort();
    }

    /** Starts Loupe trusting the origins' CA, resolving upstream.test via the origins' hosts file. */
    static GatewayUnderTest start(Path dir, Origins origins, String extraYaml) throws Exception {
        return start(dir, origins, "", extraYaml);
    }

    /** {@code upstreamYaml}: extra lines for the upstream section, indented by two spaces. */
    static GatewayUnderTest start(Path dir, Origins origins, String upstreamYaml, String extraYaml) throws Exception {
        return start(dir, origins.originCa, origins.hostsFile, upstreamYaml, extraYaml);
    }

    /** Starts Loupe trusting {@code originCa} and resolving names from {@code hostsFile}. */
    static GatewayUnderTest start(Path dir, Path originCa, Path hostsFile, String upstreamYaml, String extraYaml)
            throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("access.log");
        String yaml = """
                data-dir: %s
                listener: {address: 127.0.0.1, port: 0}
                upstream:
                  extra-ca-bundles: [%s]
                  %s
                  connect-timeout: 3s
                  %s
                resolver:
                  hosts-file: %s
                  # never ask a real DNS server from tests: a dead loopback port fails fast
                  nameservers: ["127.0.0.1:%d"]
                  query-timeout: 500ms
                access-log: {target: %s}
                admin: {port: 0}
                """.formatted(data, originCa,
                // the origins are on loopback: allowed unless the test says otherwise
                upstreamYaml.contains("local-destinations") ? "" : "local-destinations: allow", upstreamYaml.isBlank() ? "" : upstreamYaml.strip(), hostsFile, DEAD_DNS_PORT, log) + extraYaml;
        Files.writeString(dir.resolve("loupe.yaml"), yaml);
        LoupeConfig config = new ConfigLoader().load(dir.resolve("loupe.yaml"));
        CertificateAuthority ca = CaStore.in(data).loadOrCreate(config.ca().type(), Clock.systemUTC());
        Gateway gateway = Gateway.start(config, ca,
                JsonLinesAccessLog.toFile(log, config.accessLog().queueSize()));
        return new GatewayUnderTest(gateway, CaStore.in(data).certificatePath(), log);
    }

    /** The admin API's /metrics, fetched with the bearer token the way a Prometheus scraper would. */
    String metrics() throws Exception {
        String token = Files.readString(caPem.getParent().resolve("admin.token")).strip();
        return Curl.run(caPem.getParent(), "-H", "Authorization: Bearer " + token,
                "http://127.0.0.1:" + gateway.adminAddress().getPort() + "/metrics").text();
    }

    /** Waits until /metrics contains {@code line} (e.g. a gauge at a given value). */
    void awaitMetric(String line) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        String metrics = metrics();
        while (!metrics.contains(line)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no '" + line + "' in /metrics:\n" + metrics);
            }
            Thread.sleep(100);
            metrics = metrics();
        }
    }

    String proxy() {
        return "http://127.0.0.1:" + port;
    }

    /** Waits until the access log holds a record matching {@code match}, and returns every record. */
    List<JsonNode> awaitLog(Predicate<JsonNode> match) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        List<JsonNode> records = List.of();
        while (System.currentTimeMillis() < deadline) {
            records = readLog();
            if (records.stream().anyMatch(match)) {
                return records;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no matching access-log record; have: " + records);
    }

    List<JsonNode> readLog() throws Exception {
        List<JsonNode> records = new ArrayList<>();
        if (Files.exists(accessLog)) {
            ObjectMapper mapper = new ObjectMapper();
            for (String line : Files.readAllLines(accessLog)) {
                if (!line.isBlank()) {
                    records.add(mapper.readTree(line));
                }
            }
        }
        return records;
    }

    @Override
    public void close() {
        gateway.close();
    }
}
