package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.it.Origins.Site;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decrypt policy, automatic bypass and threat-intelligence blocking through the running gateway. */
class PolicyAndIntelIT {
    @TempDir
    static Path dir;
    static Origins origins;
    static GatewayUnderTest loupe;
    static int adminPort;
    static String token;
    static Path blocklist;

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        int good = origins.ports.get(Site.GOOD);
        blocklist = dir.resolve("blocklist.txt");
        Files.writeString(blocklist, """
                # local list: a whole domain, and one bad path on a good host
                blocked.test
                https://upstream.test:%d/secret/
                """.formatted(good));
        Path bundle = dir.resolve("bundle.json");
        Files.writeString(bundle, stixBundle("stix-file.test"));
        Path taxii = Files.createDirectories(origins.www.resolve("taxii/collections/c1/objects"));
        Files.writeString(taxii.resolve("index.html"), """
                {"more": false, "objects": %s}
                """.formatted(new ObjectMapper().readTree(stixBundle("taxii-listed.test")).path("objects")));
        adminPort = Partners.freePort();
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                policy:
                  default: decrypt
                  rules:
                    - {name: bank-bypass, hosts: [localhost], action: bypass}
                    - {name: vendor-pinned, hosts: [never.test], cert-issuers: ["~.*IT Origin CA.*"], action: bypass}
                    - {name: san-block, hosts: [rated.test], cert-sans: [rated.test], action: block}
                    - {name: subject-block, hosts: [global.test], cert-subjects: ['~.*CN=upstream[.]test.*'], action: block}
                  auto-bypass: {failures: 3, window: 1m, duration: 3s}
                intel:
                  sources:
                    - {name: local-list, type: file, format: plain, path: %s, interval: 1s}
                    - {name: stix-file, type: file, format: stix, path: %s, interval: 1s}
                    - {name: taxii-feed, type: taxii, url: "http://127.0.0.1:%d/taxii/collections/c1/", interval: 2s}
                admin: {port: %d}
                """.formatted(blocklist, bundle, origins.plainPort, adminPort));
        token = Files.readString(dir.resolve("loupe/data/admin.token")).strip();
        Thread.sleep(1_500); // first poll of every source
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(loupe, origins);
    }

    @Test
    void bypassRuleShowsTheOriginsOwnCertificate() throws Exception {
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", origins.originCa.toString(), "-v",
                "https://localhost:" + origins.ports.get(Site.GOOD) + "/index.html");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.text()).contains(Origins.MARKER);
        assertThat(r.stderr()).contains("issuer: CN=Loupe IT Origin CA").doesNotContain("Loupe Inspection CA");
        loupe.awaitLog(n -> n.path("verdict").asText().equals("bypass")
                && n.path("reason").asText().contains("bank-bypass"));
    }

    @Test
    void blockedDomainMakesNoUpstreamConnection() throws Exception {
        try (AcceptCounter origin = new AcceptCounter()) {
            String answer = RawProxyClient.connect(loupe.port, "blocked.test:" + origin.port());
            assertThat(answer).startsWith("HTTP/1.1 403").contains("local-list").contains("blocked.test");
            // the control: a host that is not blocked does reach the listener, so the count can move
            assertThat(RawProxyClient.connect(loupe.port, Origins.HOST + ":" + origin.port())).startsWith("HTTP/1.1 200");
            long deadline = System.currentTimeMillis() + 5_000;
            while (origin.accepted() == 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(200);
            assertThat(origin.accepted()).as("only the unblocked CONNECT reached the origin").isEqualTo(1);
        }
        assertThat(loupe.metrics()).containsPattern("loupe_connections_total\\{listener=\"explicit\",verdict=\"block\"} [1-9]");
    }

    @Test
    void blockedUrlPathGetsTheBlockPageWhileTheRestOfTheHostPasses() throws Exception {
        Curl.Result bad = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                "-w", "\n%{http_code}", origins.url(Site.GOOD, "/secret/plans.txt"));
        assertThat(bad.text()).endsWith("\n403").contains("local-list").doesNotContain(Origins.MARKER);
        Curl.Result ok = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                origins.url(Site.GOOD, "/index.html"));
        assertThat(ok.text()).contains(Origins.MARKER);
    }

    @Test
    void stixFileAndTaxiiCollectionBlockWhatTheyList() throws Exception {
        for (String host : new String[] {"stix-file.test", "taxii-listed.test"}) {
            String answer = RawProxyClient.connect(loupe.port, host + ":443");
            assertThat(answer).as(host).startsWith("HTTP/1.1 403").contains(host);
        }
    }

    @Test
    void certificateRulesDecideOnceTheOriginsCertificateIsSeen() throws Exception {
        int good = origins.ports.get(Site.GOOD);
        // cert-issuers: bypassed, so the client sees the origin's own certificate
        Curl.Result bypassed = Curl.run(dir, "-v", "-x", loupe.proxy(), "--cacert", origins.originCa.toString(),
                "https://never.test:" + good + "/index.html");
        assertThat(bypassed.text()).contains(Origins.MARKER);
        assertThat(bypassed.stderr()).contains("issuer: CN=Loupe IT Origin CA");
        loupe.awaitLog(n -> n.path("verdict").asText().equals("bypass") && n.path("reason").asText().contains("vendor-pinned"));
        // cert-sans and cert-subjects: blocked in TLS (the CONNECT was answered already): an access_denied alert
        for (String host : new String[] {"rated.test", "global.test"}) {
            Curl.Result blocked = Curl.run(dir, "-v", "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                    "https://" + host + ":" + good + "/index.html");
            assertThat(blocked.exitCode()).as(host).isNotZero();
            assertThat(blocked.stderr()).as(host).containsIgnoringCase("access denied").contains("200 Connection Established");
            assertThat(blocked.text()).doesNotContain(Origins.MARKER);
        }
        loupe.awaitLog(n -> n.path("verdict").asText().equals("block") && n.path("reason").asText().contains("san-block"));
        loupe.awaitLog(n -> n.path("verdict").asText().equals("block") && n.path("reason").asText().contains("subject-block"));
    }

    @Test
    void anIndicatorBeatsARuleWhichBeatsTheDefault() throws Exception {
        String target = "localhost:" + origins.ports.get(Site.GOOD);
        // the rule beats the default (decrypt): bypassed
        assertThat(Curl.run(dir, "-v", "-x", loupe.proxy(), "--cacert", origins.originCa.toString(),
                "https://" + target + "/index.html").stderr()).contains("issuer: CN=Loupe IT Origin CA");
        admin("POST", "/api/indicators", "{\"type\":\"domain\",\"value\":\"localhost\",\"risk\":90,\"expires_in_seconds\":600}");
        try {
            assertThat(RawProxyClient.connect(loupe.port, target)).as("the indicator beats the bypass rule")
                    .startsWith("HTTP/1.1 403").contains("api");
        } finally {
            admin("DELETE", "/api/indicators?type=domain&value=localhost", null);
        }
    }

    @Test
    void anAddressIndicatorBlocksEveryNameForThatAddress() throws Exception {
        admin("POST", "/api/indicators", "{\"type\":\"ip\",\"value\":\"127.0.0.1\",\"risk\":90,\"expires_in_seconds\":600}");
        try {
            Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "-w", "\n%{http_code}",
                    "http://pushed.test:" + origins.plainPort + "/index.html");
            assertThat(r.text()).endsWith("\n403").doesNotContain(Origins.MARKER);
            assertThat(RawProxyClient.connect(loupe.port, "127.0.0.1:" + origins.ports.get(Site.GOOD)))
                    .startsWith("HTTP/1.1 403");
        } finally {
            admin("DELETE", "/api/indicators?type=ip&value=127.0.0.1", null);
        }
        assertThat(Curl.run(dir, "-x", loupe.proxy(), "http://pushed.test:" + origins.plainPort + "/index.html").text())
                .contains(Origins.MARKER);
    }

    @Test
    void aFileSourceChangedOnDiskIsInForceWithoutARestart() throws Exception {
        String url = "http://taxii.test:" + origins.plainPort + "/index.html";
        assertThat(Curl.run(dir, "-x", loupe.proxy(), url).text()).contains(Origins.MARKER);
        String before = Files.readString(blocklist);
        Files.writeString(blocklist, before + "taxii.test\n");
        try {
            long deadline = System.currentTimeMillis() + 10_000;
            String answer = Curl.run(dir, "-x", loupe.proxy(), "-w", "\n%{http_code}", url).text();
            while (!answer.endsWith("\n403") && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
                answer = Curl.run(dir, "-x", loupe.proxy(), "-w", "\n%{http_code}", url).text();
            }
            assertThat(answer).endsWith("\n403").contains("local-list");
        } finally {
            Files.writeString(blocklist, before);
        }
    }

    @Test
    void pushedIndicatorBlocksWithinASecondWithoutDroppingOpenConnections() throws Exception {
        String url = "http://pushed.test:" + origins.plainPort + "/index.html";
        try (Socket open = DecryptedSessions.open(loupe.port, origins, loupe.caPem)) {
            assertThat(Curl.run(dir, "-x", loupe.proxy(), url).text()).contains(Origins.MARKER);
            JsonNode added = admin("POST", "/api/indicators",
                    "{\"type\":\"domain\",\"value\":\"pushed.test\",\"risk\":90,\"expires_in_seconds\":600}");
            assertThat(added.path("value").asText()).isEqualTo("pushed.test");
            long pushedAt = System.nanoTime();
            Curl.Result blocked = Curl.run(dir, "-x", loupe.proxy(), "-w", "\n%{http_code}", url);
            assertThat(blocked.text()).endsWith("\n403").contains("api");
            assertThat((System.nanoTime() - pushedAt) / 1_000_000).isLessThan(1_000);
            assertThat(admin("GET", "/api/indicators", null).toString()).contains("pushed.test");
            // the connection that was open before the push still works
            assertThat(DecryptedSessions.request(open, "/1k.bin")).startsWith("HTTP/1.1 200");
            admin("DELETE", "/api/indicators?type=domain&value=pushed.test", null);
            assertThat(Curl.run(dir, "-x", loupe.proxy(), url).text()).contains(Origins.MARKER);
        }
    }

    @Test
    void adminApiRefusesRequestsWithoutTheToken() throws Exception {
        Curl.Result r = Curl.run(dir, "-w", "\n%{http_code}", "http://127.0.0.1:" + adminPort + "/api/indicators");
        assertThat(r.text()).endsWith("\n401");
    }

    @Test
    void clientThatRejectsTheForgedCertificateGetsTheHostBypassedUntilItExpires() throws Exception {
        String target = "pinned.test:" + origins.ports.get(Site.GOOD);
        for (int i = 0; i < 3; i++) {
            // no Loupe CA: openssl aborts the handshake with an alert after seeing our certificate
            Process p = new ProcessBuilder(Partners.require("openssl"), "s_client", "-connect", target,
                    "-proxy", "127.0.0.1:" + loupe.port, "-servername", "pinned.test", "-verify_return_error",
                    "-CAfile", origins.originCa.toString()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            p.getInputStream().readAllBytes();
            Partners.finish(p);
        }
        Thread.sleep(200);
        assertThat(admin("GET", "/api/bypasses", null).toString()).contains("pinned.test");
        // now bypassed: the pinned client sees (and accepts) the origin's own certificate
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", origins.originCa.toString(), "-v",
                "https://" + target + "/index.html");
        assertThat(r.stderr()).contains("issuer: CN=Loupe IT Origin CA");
        Thread.sleep(3_500); // the bypass lasts 3 s in this configuration
        assertThat(admin("GET", "/api/bypasses", null).path("active").toString()).doesNotContain("pinned.test");
        Curl.Result again = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "-v",
                "https://" + target + "/index.html");
        assertThat(again.stderr()).contains("Loupe Inspection CA");
    }

    @Test
    void originAskingForAClientCertificateIsBypassedSoTheClientCanPresentIt() throws Exception {
        String url = "https://mtls.test:" + origins.ports.get(Site.MUTUAL_TLS) + "/index.html";
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", origins.originCa.toString(),
                "--cert", origins.clientCert.toString(), "--key", origins.clientKey.toString(), url);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.text()).contains(Origins.MARKER);
        assertThat(admin("GET", "/api/bypasses", null).toString()).contains("mtls.test").contains("client certificate");
        loupe.awaitLog(n -> n.path("verdict").asText().equals("bypass") && n.path("sni").asText().equals("mtls.test"));
    }

    private static JsonNode admin(String method, String path, String body) throws Exception {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("-X", method, "-H",
                "Authorization: Bearer " + token, "-w", "\n%{http_code}"));
        if (body != null) {
            args.addAll(java.util.List.of("-H", "Content-Type: application/json", "--data", body));
        }
        args.add("http://127.0.0.1:" + adminPort + path);
        Curl.Result r = Curl.run(dir, args.toArray(String[]::new));
        String text = r.text();
        int cut = text.lastIndexOf('\n');
        assertThat(text.substring(cut + 1)).as(text).startsWith("2");
        return new ObjectMapper().readTree(text.substring(0, cut));
    }


    private static String stixBundle(String domain) {
        String now = Instant.now().toString();
        return """
                {"type": "bundle", "id": "bundle--1b9ac6c9-2f4f-4a6e-9d4e-0a1b2c3d4e5f", "objects": [
                  {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s",
                   "created": "%s", "modified": "%s", "valid_from": "%s",
                   "pattern_type": "stix", "pattern": "[domain-name:value = '%s']", "confidence": 85},
                  {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s",
                   "created": "%s", "modified": "%s", "valid_from": "%s", "revoked": true,
                   "pattern_type": "stix", "pattern": "[domain-name:value = 'revoked-%s']"}
                ]}
                """.formatted(java.util.UUID.randomUUID(), now, now, now, domain,
                java.util.UUID.randomUUID(), now, now, now, domain);
    }
}
