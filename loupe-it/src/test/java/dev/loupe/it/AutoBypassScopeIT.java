package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.it.Origins.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, items 1 and 5, through the running gateway with curl from distinct loopback addresses: a global
 * auto-bypass needs rejections from five distinct clients, never-bypass hosts are never bypassed, grants are
 * rate-limited (one per minute here, so the order of the tests matters), and without the opt-in a gateway
 * refuses destinations on its own host.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AutoBypassScopeIT {
    @TempDir
    static Path dir;
    static Origins origins;
    static GatewayUnderTest loupe;
    static int good;

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        good = origins.ports.get(Site.GOOD);
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                policy:
                  auto-bypass: {failures: 3, window: 5m, duration: 5m, scope: global, global-min-clients: 5,
                                max-grants-per-minute: 1, never-bypass: {hosts: [never.test]}}
                """);
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(loupe, origins);
    }

    @Test
    @Order(1)
    void aGlobalBypassNeedsRejectionsFromFiveDistinctClients() throws Exception {
        for (int client = 11; client <= 14; client++) {
            for (int i = 0; i < 3; i++) {
                reject("global.test", client);
            }
        }
        assertThat(bypasses().path("active").toString()).as("four clients, twelve rejections").doesNotContain("global.test");
        assertThat(issuerSeenBy("global.test", 20)).contains("Loupe Inspection CA");
        reject("global.test", 15);
        assertThat(bypasses().path("active")).anySatisfy(e -> assertThat(e.path("host").asText()).isEqualTo("global.test"));
        assertThat(issuerSeenBy("global.test", 21)).as("now bypassed for everyone").contains("Loupe IT Origin CA");
        assertThat(bypasses().path("recent_grants").toString()).contains("global.test").contains("5 distinct clients");
    }

    @Test
    @Order(2)
    void aNeverBypassHostStaysDecrypted() throws Exception {
        for (int client = 31; client <= 35; client++) {
            for (int i = 0; i < 3; i++) {
                reject("never.test", client);
            }
        }
        JsonNode b = bypasses();
        assertThat(b.path("active").toString()).doesNotContain("never.test");
        assertThat(b.path("refused").path("never-bypass").asLong()).isPositive();
        assertThat(issuerSeenBy("never.test", 36)).contains("Loupe Inspection CA");
    }

    @Test
    @Order(3)
    void grantsBeyondTheRateLimitAreRefused() throws Exception {
        for (int client = 41; client <= 45; client++) {
            for (int i = 0; i < 3; i++) {
                reject("rated.test", client);
            }
        }
        JsonNode b = bypasses();
        assertThat(b.path("active").toString()).doesNotContain("rated.test");
        assertThat(b.path("refused").path("rate-limit").asLong()).isPositive();
        assertThat(issuerSeenBy("rated.test", 46)).contains("Loupe Inspection CA");
        assertThat(loupe.metrics()).containsPattern("loupe_auto_bypass_refused_total\\{reason=\"rate-limit\"} [1-9]");
    }

    @Test
    void withoutTheOptInLoopbackDestinationsAreRefused() throws Exception {
        try (GatewayUnderTest strict = GatewayUnderTest.start(Files.createDirectories(dir.resolve("strict")), origins,
                "local-destinations: refuse", "")) {
            Curl.Result https = Curl.run(dir, "-x", strict.proxy(), "--cacert", strict.caPem.toString(), "-w",
                    "\n%{http_code}", origins.url(Site.GOOD, "/index.html"));
            assertThat(https.text()).doesNotContain(Origins.MARKER);
            assertThat(RawProxyClient.connect(strict.port, Origins.HOST + ":" + good)).startsWith("HTTP/1.1 403");
            Curl.Result plain = Curl.run(dir, "-x", strict.proxy(), "-w", "\n%{http_code}",
                    "http://127.0.0.1:" + origins.plainPort + "/index.html");
            assertThat(plain.text()).endsWith("\n403").doesNotContain(Origins.MARKER);
            assertThat(strict.metrics()).containsPattern("loupe_refusals_total\\{reason=\"forbidden-destination\"} [1-9]");
        }
    }

    /** One handshake from 127.0.0.{client} that refuses Loupe's certificate (curl trusts the origins' CA only). */
    private static void reject(String host, int client) throws Exception {
        Curl.Result r = Curl.run(dir, "--interface", "127.0.0." + client, "-x", loupe.proxy(), "--cacert",
                origins.originCa.toString(), "https://" + host + ":" + good + "/index.html");
        assertThat(r.exitCode()).as("curl refused the certificate").isNotZero();
    }

    private static String issuerSeenBy(String host, int client) throws Exception {
        return Curl.run(dir, "-v", "-k", "--interface", "127.0.0." + client, "-x", loupe.proxy(),
                "https://" + host + ":" + good + "/index.html").stderr();
    }

    private static JsonNode bypasses() throws Exception {
        String token = Files.readString(dir.resolve("loupe/data/admin.token")).strip();
        return new ObjectMapper().readTree(Curl.run(dir, "-H", "Authorization: Bearer " + token,
                "http://127.0.0.1:" + loupe.gateway.adminAddress().getPort() + "/api/bypasses").text());
    }
}
