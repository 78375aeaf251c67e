package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.it.Origins.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inline HTTP service end to end with real squid (a filtering proxy, no bumping): decrypted requests go
 * through squid and come back to Loupe's return listener, which re-encrypts them to the origin.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InlineHttpIT {
    @TempDir
    static Path dir;
    static Origins origins;
    static Squids squids;
    static GatewayUnderTest loupe;
    static int returnPort;

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        Files.createDirectories(origins.www.resolve("forbidden"));
        Files.writeString(origins.www.resolve("forbidden/secret.txt"), "must not leave\n");
        returnPort = Partners.freePort();
        squids = Squids.start(dir.resolve("squids"), 2, returnPort);
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                inline:
                  return-port: %d
                  services:
                    - name: filter
                      devices: ["%s", "%s"]
                      failure-mode: fail-closed
                      health-interval: 300ms
                """.formatted(returnPort, squids.device(0), squids.device(1)));
        // squid started before its parent listened and counts it dead for a moment: wait for both loops
        for (int i = 0; i < 2; i++) {
            loupe.awaitMetric("loupe_inline_device_up{device=\"" + squids.device(i) + "\",service=\"filter\"} 1");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(loupe, squids, origins);
    }

    private Curl.Result get(GatewayUnderTest gateway, String path, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("-x", gateway.proxy(), "--cacert",
                gateway.caPem.toString(), "-w", "\n%{http_code}"));
        args.addAll(List.of(extra));
        args.add(origins.url(Site.GOOD, path));
        return Curl.run(dir, args.toArray(String[]::new));
    }

    @Test
    @Order(1)
    void aDeniedUrlGetsTheDevicesOwn403AndOtherContentArrivesByteExact() throws Exception {
        Curl.Result denied = get(loupe, "/forbidden/secret.txt", "-D", "-");
        assertThat(denied.exitCode()).as(denied.stderr()).isZero();
        assertThat(denied.text()).endsWith("\n403").contains("X-Squid-Error: ERR_ACCESS_DENIED")
                .doesNotContain("must not leave");

        Path out = dir.resolve("300k.out");
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "-o", out.toString(),
                "-w", "%{http_code}", origins.url(Site.GOOD, "/300k.bin"));
        assertThat(r.text()).as(r.stderr()).isEqualTo("200");
        assertThat(Origins.sha256(out)).isEqualTo(Origins.sha256(origins.www.resolve("300k.bin")));
        JsonNode record = loupe.awaitLog(n -> n.path("url").asText().endsWith("/300k.bin")
                && n.path("inline").asText().startsWith("filter via ")).stream()
                .filter(n -> n.path("url").asText().endsWith("/300k.bin")).findFirst().orElseThrow();
        assertThat(record.path("url").asText()).startsWith("https://");
        assertThat(squids.requests(0) + squids.requests(1)).as("squid saw the requests").isGreaterThanOrEqualTo(2);
    }

    @Test
    @Order(1)
    void overHttp2TheDeviceJudgesEachStreamAsAnHttp11Request() throws Exception {
        // h2 between the client and Loupe; the device sees (and answers) plain HTTP/1.1 proxy requests
        Curl.Result denied = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "--http2",
                "-D", "-", "-w", "\n%{http_code} %{http_version}", origins.url(Site.H2, "/forbidden/secret.txt?h2"));
        assertThat(denied.exitCode()).as(denied.stderr()).isZero();
        assertThat(denied.text()).endsWith("\n403 2").containsIgnoringCase("x-squid-error: ERR_ACCESS_DENIED")
                .doesNotContain("must not leave");
        Path out = dir.resolve("300k-h2.out");
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "--http2",
                "-o", out.toString(), "-w", "%{http_code} %{http_version}", origins.url(Site.H2, "/300k.bin?h2"));
        assertThat(r.text()).as(r.stderr()).isEqualTo("200 2");
        assertThat(Origins.sha256(out)).isEqualTo(Origins.sha256(origins.www.resolve("300k.bin")));
        JsonNode record = loupe.awaitLog(n -> n.path("url").asText().endsWith("/300k.bin?h2")
                && n.path("inline").asText().startsWith("filter via ")).stream()
                .filter(n -> n.path("url").asText().endsWith("/300k.bin?h2")
                        && n.path("inline").asText().startsWith("filter via ")).findFirst().orElseThrow();
        assertThat(record.path("protocol").asText()).as("the client's side of the device").isEqualTo("HTTP/2");
    }

    @Test
    @Order(2)
    void bothDevicesGetTraffic() throws Exception {
        for (int i = 0; i < 16; i++) {
            Curl.Result r = get(loupe, "/index.html?n=" + i);
            assertThat(r.text()).as(r.stderr()).endsWith("\n200").contains(Origins.MARKER);
        }
        // each client flow (its own connection, so its own flow hash) went through exactly one device, and
        // both devices carried some: counted from squid's log without Loupe's probes
        java.util.Map<Integer, java.util.List<String>> seen = new java.util.HashMap<>();
        for (int device = 0; device < 2; device++) {
            for (String line : squids.clientRequests(device)) {
                var m = java.util.regex.Pattern.compile("index\\.html\\?n=(\\d+)").matcher(line);
                if (m.find()) {
                    seen.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new java.util.ArrayList<>()).add("d" + device);
                }
            }
        }
        assertThat(seen).as("every flow, once").hasSize(16).allSatisfy((n, devices) -> assertThat(devices).hasSize(1));
        assertThat(seen.values().stream().flatMap(List::stream).distinct()).as("both devices").containsExactlyInAnyOrder("d0", "d1");
        assertThat(loupe.metrics()).contains("loupe_inline_requests_total{device=\"" + squids.device(0)
                + "\",service=\"filter\"}").contains("loupe_inline_latency_seconds_count{device=\"" + squids.device(0)
                + "\",service=\"filter\"}").contains("loupe_inline_device_up{device=\"" + squids.device(1)
                + "\",service=\"filter\"} 1");
    }

    @Test
    @Order(3)
    void aClientCannotMakeTheDeviceJudgeAnotherHost() throws Exception {
        // "@other/..." after "http://host:port" would read as user info plus another host
        Curl.Result r = get(loupe, "/forbidden/secret.txt", "--request-target", "@localhost/forbidden/secret.txt");
        assertThat(r.text()).endsWith("\n400").doesNotContain("must not leave");
        Curl.Result forged = get(loupe, "/index.html?forged", "-H", "X-Loupe-Flow: 00112233445566778899aabbccddeeff");
        assertThat(forged.text()).as("a client's own flow header is dropped, not trusted").endsWith("\n200");
    }

    @Test
    @Order(3)
    void theReturnListenerIsNoOpenProxy() throws Exception {
        Curl.Result r = Curl.run(dir, "-x", "http://127.0.0.1:" + returnPort, "-w", "\n%{http_code}",
                "http://" + Origins.HOST + ":" + origins.plainPort + "/index.html");
        assertThat(r.text()).endsWith("\n403").doesNotContain(Origins.MARKER);
        Curl.Result forged = Curl.run(dir, "-x", "http://127.0.0.1:" + returnPort, "-w", "\n%{http_code}",
                "-H", "X-Loupe-Flow: 00112233445566778899aabbccddeeff",
                "http://" + Origins.HOST + ":" + origins.plainPort + "/index.html");
        assertThat(forged.text()).endsWith("\n403");
    }

    @Test
    @Order(4)
    void aReloadChangesTheDevicesWhileAFlowInFlightFinishesThroughTheOldOne() throws Exception {
        Path yaml = dir.resolve("loupe/loupe.yaml");
        String original = Files.readString(yaml);
        loupe.gateway.configSource(() -> new dev.loupe.core.config.ConfigLoader().load(yaml));
        Path out = dir.resolve("300k-reload.out");
        Process download = new ProcessBuilder(Partners.require("curl"), "--silent", "--show-error", "--max-time", "30",
                "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "--limit-rate", "100k", "-o", out.toString(),
                origins.url(Site.GOOD, "/300k.bin?during-reload")).redirectErrorStream(true).start();
        Thread.sleep(500); // the flow is through a device and streaming
        String device0 = "\"" + squids.device(0) + "\", ";
        Files.writeString(yaml, original.replace(device0, "").replace("health-interval: 300ms", "health-interval: 250ms"));
        assertThat(loupe.gateway.reload(false).result()).isEqualTo("applied");
        // at once, with no wait for a probe: the kept device kept its state
        for (int i = 0; i < 6; i++) {
            Curl.Result r = get(loupe, "/index.html?after-reload=" + i);
            assertThat(r.text()).as(r.stderr()).endsWith("\n200").contains(Origins.MARKER);
        }
        var after = loupe.awaitLog(n -> n.path("url").asText().endsWith("after-reload=5")
                && n.path("inline").asText().startsWith("filter via "));
        assertThat(after.stream().filter(n -> n.path("url").asText().contains("after-reload=")
                        && n.path("inline").asText().startsWith("filter via "))
                .map(n -> n.path("inline").asText())).as("only the device left in the file")
                .allMatch(via -> via.contains(squids.device(1))).hasSize(6);
        assertThat(Partners.finish(download)).isZero();
        assertThat(Origins.sha256(out)).as("the download that started before the reload")
                .isEqualTo(Origins.sha256(origins.www.resolve("300k.bin")));
        assertThat(loupe.metrics()).doesNotContain("loupe_inline_device_up{device=\"" + squids.device(0) + "\"");

        // back to both: the device added again is probed before the reload returns, so it takes traffic at once
        Files.writeString(yaml, original);
        assertThat(loupe.gateway.reload(false).result()).isEqualTo("applied");
        assertThat(loupe.metrics()).contains("loupe_inline_device_up{device=\"" + squids.device(0)
                + "\",service=\"filter\"} 1");
        long before0 = squids.requests(0);
        for (int i = 0; i < 16; i++) {
            Curl.Result r = get(loupe, "/index.html?both-again=" + i);
            assertThat(r.text()).as(r.stderr()).endsWith("\n200");
        }
        assertThat(squids.requests(0)).as("the re-added device gets flows").isGreaterThan(before0);
    }

    @Test
    @Order(5)
    void whenOneDeviceStopsTheOtherCarriesEverything() throws Exception {
        squids.stop(1);
        loupe.awaitMetric("loupe_inline_device_up{device=\"" + squids.device(1) + "\",service=\"filter\"} 0");
        for (int i = 0; i < 8; i++) {
            Curl.Result r = get(loupe, "/index.html?after=" + i);
            assertThat(r.text()).as(r.stderr()).endsWith("\n200").contains(Origins.MARKER);
        }
    }

    @Test
    @Order(6)
    void withNoDeviceUpFailOpenPassesAndFailClosedBlocks() throws Exception {
        String dead = "127.0.0.1:" + Partners.freePort();
        try (GatewayUnderTest open = GatewayUnderTest.start(Files.createDirectories(dir.resolve("open")), origins,
                     inlineWith(dead, "fail-open"));
             GatewayUnderTest closed = GatewayUnderTest.start(Files.createDirectories(dir.resolve("closed")), origins,
                     inlineWith(dead, "fail-closed"))) {
            Thread.sleep(800); // a probe or two: the device is down
            Curl.Result passed = get(open, "/index.html");
            assertThat(passed.text()).as(passed.stderr()).endsWith("\n200").contains(Origins.MARKER);
            JsonNode record = open.awaitLog(n -> n.path("inline").asText().contains("fail-open")).stream()
                    .filter(n -> n.path("inline").asText().contains("fail-open")).findFirst().orElseThrow();
            assertThat(record.path("status").asInt()).isEqualTo(200);

            Curl.Result blocked = get(closed, "/index.html");
            assertThat(blocked.text()).endsWith("\n503").contains("filter").doesNotContain(Origins.MARKER);
        }
    }

    private static String inlineWith(String device, String mode) {
        return """
                inline:
                  return-port: %d
                  services:
                    - {name: filter, devices: ["%s"], failure-mode: %s, health-interval: 200ms, connect-timeout: 300ms}
                """.formatted(Partners.freePort(), device, mode);
    }
}
