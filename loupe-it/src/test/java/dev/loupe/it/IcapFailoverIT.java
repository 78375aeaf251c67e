package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.it.Origins.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real c-icap servers in one service: both get traffic, losing one mid-run loses no request, and with
 * both gone each gateway follows its failure mode (fail-open passes and logs; fail-closed answers 503).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IcapFailoverIT {
    static final int REQUESTS = 300;

    @TempDir
    static Path dir;
    static IcapServers icap;
    static Origins origins;
    static GatewayUnderTest closed;
    static GatewayUnderTest open;

    @BeforeAll
    static void start() throws Exception {
        icap = IcapServers.start(dir.resolve("icap"), 2);
        origins = Origins.start(dir.resolve("origins"));
        Files.writeString(origins.www.resolve("clean.txt"), "nothing to see here\n");
        closed = GatewayUnderTest.start(Files.createDirectories(dir.resolve("closed")), origins,
                service("fail-closed"));
        open = GatewayUnderTest.start(Files.createDirectories(dir.resolve("open")), origins, service("fail-open"));
    }

    private static String service(String failureMode) {
        return """
                icap:
                  services:
                    - name: av
                      mode: respmod
                      servers: [%s, %s]
                      balance: round-robin
                      failure-mode: %s
                      mark-down-after: 2
                      revive-after: 60s
                      connect-timeout: 1s
                      timeout: 10s
                """.formatted(icap.uri(0), icap.uri(1), failureMode);
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(closed, open, origins, icap);
    }

    @Test
    @Order(1)
    void bothServersGetTrafficAndLosingOneMidRunLosesNoRequest() throws Exception {
        List<String> args = new ArrayList<>(List.of("-x", closed.proxy(), "--cacert", closed.caPem.toString(),
                "-w", "%{http_code} %{size_download}\\n"));
        for (int i = 0; i < REQUESTS; i++) {
            args.add("-o");
            args.add("/dev/null");
            args.add(origins.url(Site.GOOD, "/clean.txt?n=" + i));
        }
        java.util.concurrent.atomic.AtomicReference<Throwable> killerError = new java.util.concurrent.atomic.AtomicReference<>();
        Thread killer = Thread.ofVirtual().start(() -> {
            try {
                // once both servers have served some of the run, take one away
                while (icap.requestsServed(0) < 20 || icap.requestsServed(1) < 20) {
                    Thread.sleep(20);
                }
                icap.stop(0);
            } catch (Throwable e) {
                killerError.set(e);
            }
        });
        Curl.Result r = Curl.run(dir, args.toArray(String[]::new));
        killer.join(30_000);
        assertThat(killer.isAlive()).as("the server was stopped within the run").isFalse();
        assertThat(killerError.get()).as("stopping the server").isNull();
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        List<String> lines = r.text().lines().toList();
        assertThat(lines).hasSize(REQUESTS).allMatch(line -> line.equals("200 20"));
        assertThat(icap.requestsServed(0)).as("first server served part of the run").isGreaterThanOrEqualTo(20);
        assertThat(icap.requestsServed(1)).as("second server served part of the run").isGreaterThan(20);
        String metrics = closed.metrics();
        assertThat(metrics).contains("loupe_icap_server_up{server=\"127.0.0.1:" + icap.ports.get(0)
                + "/avscan\",service=\"av\"} 0");
        List<JsonNode> exchanges = closed.readLog().stream()
                .filter(n -> "exchange".equals(n.path("type").asText())).toList();
        assertThat(exchanges).hasSize(REQUESTS).allMatch(n -> n.path("status").asInt() == 200
                && n.path("icap").get(0).path("result").asText().equals("unmodified"));
    }

    @Test
    @Order(2)
    void withBothServersDownFailOpenPassesAndFailClosedAnswers503() throws Exception {
        icap.stop(1);
        Curl.Result passed = Curl.run(dir, "-x", open.proxy(), "--cacert", open.caPem.toString(),
                origins.url(Site.GOOD, "/clean.txt?down=open"));
        assertThat(passed.exitCode()).as(passed.stderr()).isZero();
        assertThat(passed.text()).isEqualTo("nothing to see here\n");
        JsonNode openRecord = open.awaitLog(n -> n.path("url").asText().endsWith("down=open")).stream()
                .filter(n -> n.path("url").asText().endsWith("down=open")).findFirst().orElseThrow();
        assertThat(openRecord.path("icap").get(0).path("result").asText()).isEqualTo("error");
        assertThat(openRecord.path("icap").get(0).path("reason").asText()).contains("fail-open");

        Curl.Result refused = Curl.run(dir, "-x", closed.proxy(), "--cacert", closed.caPem.toString(),
                "-w", "\n%{http_code}", origins.url(Site.GOOD, "/clean.txt?down=closed"));
        assertThat(refused.text()).endsWith("\n503").contains("av").doesNotContain("nothing to see here");
        JsonNode closedRecord = closed.awaitLog(n -> n.path("url").asText().endsWith("down=closed")).stream()
                .filter(n -> n.path("url").asText().endsWith("down=closed")).findFirst().orElseThrow();
        assertThat(closedRecord.path("status").asInt()).isEqualTo(503);
        assertThat(closedRecord.path("icap").get(0).path("reason").asText()).contains("fail-closed");
    }

    @Test
    @Order(3)
    void aServerMarkedDownStaysOutUntilReviveAfterThenOptionsBringsItBack() throws Exception {
        icap.restart(0);
        try (GatewayUnderTest reviving = GatewayUnderTest.start(Files.createDirectories(dir.resolve("reviving")), origins, """
                icap:
                  services:
                    - {name: av, mode: respmod, servers: [%s], failure-mode: fail-closed, mark-down-after: 1,
                       revive-after: 3s, connect-timeout: 1s, timeout: 10s}
                """.formatted(icap.uri(0)))) {
            assertThat(status(reviving, "up")).isEqualTo("200");
            icap.stop(0);
            assertThat(status(reviving, "down")).as("the server is gone: fail-closed").isEqualTo("503");
            icap.restart(0);
            long back = System.nanoTime();
            assertThat(status(reviving, "marked")).as("back, but still out of rotation until revive-after").isEqualTo("503");
            long deadline = System.currentTimeMillis() + 15_000;
            String s = status(reviving, "revived");
            while (!s.equals("200") && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
                s = status(reviving, "revived");
            }
            assertThat(s).isEqualTo("200");
            assertThat((System.nanoTime() - back) / 1_000_000).as("not before revive-after").isGreaterThanOrEqualTo(1_500);
            reviving.awaitMetric("loupe_icap_server_up{server=\"127.0.0.1:" + icap.ports.get(0) + "/avscan\",service=\"av\"} 1");
        }
    }

    private static String status(GatewayUnderTest gateway, String tag) throws Exception {
        return Curl.run(dir, "-x", gateway.proxy(), "--cacert", gateway.caPem.toString(), "-o", "/dev/null", "-w",
                "%{http_code}", origins.url(Site.GOOD, "/clean.txt?" + tag)).text();
    }
}
