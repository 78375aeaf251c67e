package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.pki.CaStore;
import dev.loupe.it.Origins.Site;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Loupe nodes sharing a real redis-server (password set): pushes, deletes, expiry and learned bypasses
 * reach the other node; a node with another CA is refused; Redis killed leaves both nodes blocking what
 * they knew, degraded, refusing pushes; Redis back (empty) is re-seeded and in sync without a restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Origins origins;
    static RedisServer redis;
    static Node a;
    static Node b;

    record Node(GatewayUnderTest loupe, String token) {
        int adminPort() {
            return loupe.gateway.adminAddress().getPort();
        }

        Reply admin(String method, String path, String body) throws Exception {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort() + path))
                    .header("Authorization", "Bearer " + token)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> resp = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(resp.statusCode(), resp.body().isBlank() ? null : JSON.readTree(resp.body()));
        }

        boolean blocksHost(String host) throws Exception {
            return admin("GET", "/api/indicators/match?host=" + host, null).body().path("matched").asBoolean();
        }

        /** Through the proxy, as a client: 403 from the gateway, or the origin's page. */
        String fetch(String host) throws Exception {
            Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "-w", "\n%{http_code}",
                    "http://" + host + ":" + origins.plainPort + "/index.html");
            return r.text();
        }
    }

    record Reply(int status, JsonNode body) {
    }

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        redis = RedisServer.start(dir.resolve("redis"));
        a = node("a", null);
        // one CA for the cluster: B gets A's, as 'loupe ca export --pkcs12' / 'loupe ca import' would carry it
        Path bData = Files.createDirectories(dir.resolve("b/data"));
        CaStore.in(bData).save(CaStore.in(dir.resolve("a/data")).load());
        b = node("b", null);
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(b == null ? null : b.loupe(), a == null ? null : a.loupe(), redis, origins);
    }

    static Node node(String name, String clusterExtra) throws Exception {
        Path home = Files.createDirectories(dir.resolve(name));
        GatewayUnderTest loupe = GatewayUnderTest.start(home, origins, """
                cluster: {node: %s, password-file: %s, heartbeat: 200ms, %s}
                policy:
                  default: decrypt
                  auto-bypass: {failures: 3, window: 1m, duration: 10m}
                """.formatted(name, redis.passwordFile,
                clusterExtra == null ? "redis: '" + redis.uri() + "'" : clusterExtra));
        return new Node(loupe, Files.readString(home.resolve("data/admin.token")).strip());
    }

    @Test
    @Order(1)
    void aPushOnABlocksOnBWithinASecondAndADeleteOnBUnblocksOnA() throws Exception {
        assertThat(b.fetch("pushed.test")).contains(Origins.MARKER);
        Reply pushed = a.admin("POST", "/api/indicators", "{\"type\":\"domain\",\"value\":\"pushed.test\",\"risk\":90}");
        assertThat(pushed.status()).isEqualTo(201);
        long at = System.nanoTime();
        awaitTrue(() -> b.blocksHost("pushed.test"), 1_000, "B blocks what A was pushed");
        assertThat((System.nanoTime() - at) / 1_000_000).isLessThan(1_000);
        assertThat(b.fetch("pushed.test")).endsWith("\n403").contains("api");

        assertThat(b.admin("DELETE", "/api/indicators?type=domain&value=pushed.test", null).status()).isEqualTo(200);
        awaitTrue(() -> !a.blocksHost("pushed.test"), 1_000, "A unblocks what B deleted");
        assertThat(a.fetch("pushed.test")).contains(Origins.MARKER);
    }

    @Test
    @Order(2)
    void pushToOtherNodeLatencyOver200Pushes() throws Exception {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String host = "lat" + i + ".example";
            assertThat(a.admin("POST", "/api/indicators", "{\"type\":\"domain\",\"value\":\"" + host
                    + "\",\"expires_in_seconds\":60}").status()).isEqualTo(201);
            long pushedAt = System.nanoTime();
            awaitTrue(() -> b.blocksHost(host), 1_000, "B blocks " + host);
            micros.add((System.nanoTime() - pushedAt) / 1_000);
        }
        Collections.sort(micros);
        long p50 = micros.get(99);
        long p99 = micros.get(197);
        System.out.printf("cluster push-to-other-node latency over 200 pushes: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                p50 / 1000.0, p99 / 1000.0, micros.get(199) / 1000.0);
        assertThat(p99).as("p99 µs").isLessThan(1_000_000);
    }

    @Test
    @Order(3)
    void anExpirySetOnAExpiresOnB() throws Exception {
        assertThat(a.admin("POST", "/api/indicators",
                "{\"type\":\"domain\",\"value\":\"blocked.test\",\"expires_in_seconds\":2}").status()).isEqualTo(201);
        awaitTrue(() -> b.blocksHost("blocked.test"), 1_000, "B blocks blocked.test");
        JsonNode match = b.admin("GET", "/api/indicators/match?host=blocked.test", null).body();
        assertThat(match.path("indicator").path("expires_at").asText()).isNotEmpty();
        awaitTrue(() -> !b.blocksHost("blocked.test"), 4_000, "B stops blocking once the expiry passed");
        assertThat(b.fetch("blocked.test")).contains(Origins.MARKER);
    }

    @Test
    @Order(4)
    void aBypassLearnedOnAHoldsOnB() throws Exception {
        String target = "pinned.test:" + origins.ports.get(Site.GOOD);
        for (int i = 0; i < 3; i++) {
            // no Loupe CA: openssl aborts the handshake after seeing the forged certificate (a pinning app)
            Process p = new ProcessBuilder(Partners.require("openssl"), "s_client", "-connect", target,
                    "-proxy", "127.0.0.1:" + a.loupe().port, "-servername", "pinned.test", "-verify_return_error",
                    "-CAfile", origins.originCa.toString()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            p.getInputStream().readAllBytes();
            Partners.finish(p);
        }
        awaitTrue(() -> a.admin("GET", "/api/bypasses", null).body().toString().contains("pinned.test"), 2_000,
                "A granted the bypass");
        awaitTrue(() -> b.admin("GET", "/api/bypasses", null).body().path("active").toString()
                .contains("pinned.test"), 1_000, "B adopted A's bypass");
        // through B the pinned client now sees the origin's own certificate, and accepts it
        Process p = new ProcessBuilder(Partners.require("openssl"), "s_client", "-connect", target,
                "-proxy", "127.0.0.1:" + b.loupe().port, "-servername", "pinned.test", "-verify_return_error",
                "-CAfile", origins.originCa.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(Partners.finish(p)).as(out).isZero();
        assertThat(out).contains("Verify return code: 0 (ok)");

        // an operator ends it on B (the dashboard's button): it ends on A too, within the push latency
        JsonNode entry = b.admin("GET", "/api/bypasses", null).body().path("active").get(0);
        String client = entry.path("client").isNull() ? "" : "&client=" + entry.path("client").asText();
        assertThat(b.admin("DELETE", "/api/bypasses?host=pinned.test" + client, null).body().toString())
                .contains("revoked");
        awaitTrue(() -> !a.admin("GET", "/api/bypasses", null).body().path("active").toString()
                .contains("pinned.test"), 1_000, "A ended the bypass B's operator removed");
    }

    @Test
    @Order(5)
    void theClusterListsBothNodesAndRefusesANodeWithAnotherCa() throws Exception {
        JsonNode cluster = a.admin("GET", "/api/cluster", null).body();
        assertThat(cluster.path("nodes")).hasSize(2);
        for (JsonNode n : cluster.path("nodes")) {
            assertThat(n.path("flags")).as(n.toString()).isEmpty();
            assertThat(n.path("ca_fingerprint").asText()).isEqualTo(a.loupe().gateway.services().ca().sha256Fingerprint());
            assertThat(n.path("heartbeat_age_ms").asLong()).isLessThan(2_000);
        }
        assertThat(cluster.path("nodes").get(0).path("node").asText()).isEqualTo("a");
        assertThat(cluster.path("nodes").get(0).path("config_fingerprint").asText())
                .isEqualTo(cluster.path("nodes").get(1).path("config_fingerprint").asText());
        LoupeProcess.Result status = LoupeProcess.run(dir, "cluster", "status", "--config",
                dir.resolve("a/loupe.yaml").toString(), "--admin-port", String.valueOf(a.adminPort()));
        assertThat(status.exitCode()).as(status.stdout() + status.stderr()).isZero();
        assertThat(status.stdout()).contains("a (self)").contains("\nb ").contains("serving");
        // C creates its own CA: the cluster refuses it, and says how to fix it
        assertThatThrownBy(() -> node("c", null))
                .hasMessageContaining("refused into the cluster").hasMessageContaining("loupe ca import --pkcs12");
        assertThat(redis.cli("HKEYS", "loupe:nodes")).doesNotContain("c");
        assertThat(Files.readString(dir.resolve("redis/redis.log")) + redis.cli("HGETALL", "loupe:nodes"))
                .doesNotContain(RedisServer.PASSWORD);
    }

    @Test
    @Order(6)
    void aNodeJoinsOverTlsAndGetsWhatIsAlreadyShared() throws Exception {
        Path tData = Files.createDirectories(dir.resolve("t/data"));
        CaStore.in(tData).save(CaStore.in(dir.resolve("a/data")).load());
        Node t = node("t", "redis: '" + redis.tlsUri() + "', ca-bundle: " + redis.tlsCa);
        try {
            assertThat(t.blocksHost("lat7.example")).as("resynced on join").isTrue();
            assertThat(a.admin("POST", "/api/indicators", "{\"type\":\"domain\",\"value\":\"tls.example\"}").status())
                    .isEqualTo(201);
            awaitTrue(() -> t.blocksHost("tls.example"), 1_000, "the TLS node blocks what A was pushed");
            assertThat(a.admin("GET", "/api/cluster", null).body().path("nodes").toString()).contains("\"t\"");
        } finally {
            t.loupe().close();
        }
        assertThat(a.admin("GET", "/api/cluster", null).body().path("nodes").toString())
                .as("a node that left is removed, not stale").doesNotContain("\"t\"");
        // trusting another CA than the one that signed Redis's certificate: refused, the node stays alone
        Path wrongCa = dir.resolve("wrong-ca.pem");
        TestCertificates.write(wrongCa, TestCertificates.ca("Not Redis's CA").certificate());
        Path uData = Files.createDirectories(dir.resolve("u/data"));
        CaStore.in(uData).save(CaStore.in(dir.resolve("a/data")).load());
        Node u = node("u", "redis: '" + redis.tlsUri() + "', ca-bundle: " + wrongCa);
        try {
            JsonNode status = u.admin("GET", "/api/status", null).body();
            assertThat(status.path("status").asText()).isEqualTo("degraded");
            assertThat(status.path("problems").toString()).contains("unreachable");
        } finally {
            u.loupe().close();
        }
    }

    @Test
    @Order(7)
    void redisKilledLeavesBothNodesBlockingDegradedAndRefusingPushesThenResyncsWhenBack() throws Exception {
        assertThat(a.admin("POST", "/api/indicators", "{\"type\":\"domain\",\"value\":\"pushed.test\"}").status())
                .isEqualTo(201);
        awaitTrue(() -> b.blocksHost("pushed.test"), 1_000, "B blocks pushed.test");

        redis.kill();
        awaitTrue(() -> a.admin("GET", "/api/status", null).body().path("status").asText().equals("degraded"), 3_000,
                "A degraded");
        awaitTrue(() -> b.admin("GET", "/api/status", null).body().path("status").asText().equals("degraded"), 3_000,
                "B degraded");
        assertThat(a.admin("GET", "/api/status", null).body().path("problems").toString()).contains("unreachable");
        assertThat(a.loupe().metrics()).contains("loupe_cluster_store_up 0.0");
        assertThat(a.fetch("pushed.test")).endsWith("\n403");
        assertThat(b.fetch("pushed.test")).endsWith("\n403");
        Reply refused = b.admin("POST", "/api/indicators", "{\"type\":\"domain\",\"value\":\"global.test\"}");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.body().path("error").asText()).contains("unreachable").contains("refused");
        assertThat(b.blocksHost("global.test")).as("a refused push is not applied here either").isFalse();
        // the health check stays 200: a Redis outage must not make keepalived move the address
        assertThat(Curl.run(dir, "-w", "%{http_code}", "-o", "/dev/null",
                "http://127.0.0.1:" + a.adminPort() + "/health").text()).isEqualTo("200");

        redis.startAgain(); // empty: no persistence
        awaitTrue(() -> a.admin("GET", "/api/status", null).body().path("status").asText().equals("ok"), 10_000,
                "A back to ok");
        awaitTrue(() -> b.admin("GET", "/api/status", null).body().path("status").asText().equals("ok"), 10_000,
                "B back to ok");
        assertThat(redis.cli("HKEYS", "loupe:indicators")).as("re-seeded from the nodes").contains("domain:pushed.test");
        assertThat(a.blocksHost("pushed.test")).isTrue();
        assertThat(b.blocksHost("pushed.test")).isTrue();
        assertThat(b.admin("POST", "/api/indicators", "{\"type\":\"domain\",\"value\":\"global.test\"}").status())
                .isEqualTo(201);
        awaitTrue(() -> a.blocksHost("global.test"), 1_000, "A blocks what B was pushed after the outage");
        assertThat(a.loupe().metrics()).contains("loupe_cluster_store_up 1.0");
    }

    interface Check {
        boolean holds() throws Exception;
    }

    static void awaitTrue(Check check, long timeoutMillis, String what) throws Exception {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + timeoutMillis + " ms");
            }
            Thread.sleep(1);
        }
    }
}
