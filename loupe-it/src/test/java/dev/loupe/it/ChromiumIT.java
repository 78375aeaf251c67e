package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headless Chromium browsing through Loupe, trusting Loupe's CA through an NSS database as a
 * managed desktop would. Chromium exits 0 even when a page fails, so the tests assert on the DOM.
 */
class ChromiumIT {
    @TempDir
    static Path dir;
    static Origins origins;
    static GatewayUnderTest loupe;
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, "");
        home = Files.createDirectories(dir.resolve("home"));
        Path nssdb = Files.createDirectories(home.resolve(".pki/nssdb"));
        exec("certutil", "-d", "sql:" + nssdb, "-N", "--empty-password");
        exec("certutil", "-d", "sql:" + nssdb, "-A", "-t", "C,,", "-n", "Loupe CA", "-i", loupe.caPem.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(loupe, origins);
    }

    @Test
    void rendersAnHttpsPageThroughLoupe() throws Exception {
        String dom = dumpDom(origins.url(Site.GOOD, "/index.html"));
        assertThat(dom).contains("<h1 id=\"marker\">" + Origins.MARKER + "</h1>")
                .contains("script ran"); // the page's JavaScript executed: it was rendered, not just fetched
        var records = loupe.awaitLog(n -> n.path("url").asText().endsWith("/index.html"));
        assertThat(records).anyMatch(n -> n.path("type").asText().equals("connection")
                && n.path("verdict").asText().equals("decrypt")
                && n.path("client_tls").path("version").asText().equals("TLSv1.3"));
    }

    @Test
    void loadsAPageWithManySubresourcesOverHttp2() throws Exception {
        int parts = 40;
        StringBuilder page = new StringBuilder("<html><body><p id=\"count\">none</p>\n");
        for (int n = 0; n < parts; n++) {
            page.append("<script src=\"/part.js?n=").append(n).append("\"></script>\n");
        }
        page.append("<script>document.getElementById('count').textContent = 'parts ' + window.parts;</script>");
        page.append("</body></html>\n");
        Files.writeString(origins.www.resolve("many.html"), page);
        Files.writeString(origins.www.resolve("part.js"), "window.parts = (window.parts || 0) + 1;\n");
        String dom = dumpDom(origins.url(Site.H2, "/many.html?chromium-h2"));
        assertThat(dom).as("every script ran, in order").contains("<p id=\"count\">parts " + parts + "</p>");
        var nginx = Files.readString(origins.dir.resolve("nginx-access.log")).lines()
                .filter(l -> l.contains("GET /part.js?n=")).toList();
        assertThat(nginx).as("each subresource reached the origin over h2").hasSize(parts)
                .allMatch(l -> l.contains("HTTP/2.0\" 200"));
        var exchanges = loupe.awaitLog(n -> n.path("url").asText().endsWith("/part.js?n=" + (parts - 1))).stream()
                .filter(n -> n.path("type").asText().equals("exchange") && n.path("url").asText().contains("/part.js?n="))
                .toList();
        assertThat(exchanges).hasSize(parts).allMatch(n -> n.path("protocol").asText().equals("HTTP/2"));
    }

    @Test
    void failsOverToTheNextNodeListedInTheServedProxyPac() throws Exception {
        int dead = Partners.freePort(); // a node that is down: nothing listens there
        try (GatewayUnderTest pacNode = GatewayUnderTest.start(Files.createDirectories(dir.resolve("pac-node")), origins,
                "pac: {proxies: ['127.0.0.1:%d', '127.0.0.1:%d']}\n".formatted(dead, loupe.port))) {
            String pacUrl = "http://127.0.0.1:" + pacNode.port + "/proxy.pac";
            Curl.Result pac = Curl.run(dir, "-i", pacUrl);
            assertThat(pac.text()).containsIgnoringCase("Content-Type: application/x-ns-proxy-autoconfig")
                    .contains("PROXY 127.0.0.1:" + dead + "; PROXY 127.0.0.1:" + loupe.port);
            String dom = dumpDom(origins.url(Site.GOOD, "/index.html?via-pac"), "--proxy-pac-url=" + pacUrl);
            assertThat(dom).contains(Origins.MARKER).contains("script ran");
            loupe.awaitLog(n -> n.path("url").asText().endsWith("/index.html?via-pac"));
        }
    }

    @Test
    void fingerprintsAreLoggedAndAJa4RuleBlocksCurlButNotChromium() throws Exception {
        // what curl's hello looks like here: learnt through the gateway without the rule
        Curl.Result probe = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                origins.url(Site.GOOD, "/index.html?ja4-probe"));
        assertThat(probe.exitCode()).as(probe.stderr()).isZero();
        String connection = loupe.awaitLog(n -> n.path("url").asText().endsWith("?ja4-probe")).stream()
                .filter(n -> n.path("url").asText().endsWith("?ja4-probe")).findFirst().orElseThrow()
                .path("connection").asText();
        var record = loupe.awaitLog(n -> n.path("type").asText().equals("connection")
                && n.path("id").asText().equals(connection)).stream()
                .filter(n -> n.path("type").asText().equals("connection") && n.path("id").asText().equals(connection))
                .findFirst().orElseThrow();
        var fp = record.path("fingerprints");
        String curlJa4 = fp.path("ja4").asText();
        assertThat(curlJa4).as(record.toString()).matches("t13d[0-9]{4}h2_[0-9a-f]{12}_[0-9a-f]{12}");
        assertThat(fp.path("ja3").asText()).matches("[0-9a-f]{32}");
        assertThat(fp.path("ja3s").asText()).as("the origin's answer to Loupe").matches("[0-9a-f]{32}");
        // JA4S agrees with what the upstream handshake logged: version, and the ALPN the origin chose
        String version = record.path("upstream_tls").path("version").asText();
        String alpn = record.path("upstream_tls").path("alpn").asText("");
        assertThat(fp.path("ja4s").asText()).as(record.toString())
                .matches("t1[23][0-9]{2}(h1|h2|00)_[0-9a-f]{4}_[0-9a-f]{12}")
                .startsWith(version.equals("TLSv1.3") ? "t13" : "t12")
                .contains(version.equals("TLSv1.3") ? "00_" : alpn.equals("h2") ? "h2_" : "h1_");

        Path data = Files.createDirectories(dir.resolve("ja4-node/data"));
        dev.loupe.core.pki.CaStore.in(data).save(dev.loupe.core.pki.CaStore.in(loupe.caPem.getParent()).load());
        try (GatewayUnderTest guarded = GatewayUnderTest.start(dir.resolve("ja4-node"), origins, """
                policy:
                  rules:
                    - {name: no-curl, ja4: [%s], action: block}
                """.formatted(curlJa4))) {
            Curl.Result blocked = Curl.run(dir, "-x", guarded.proxy(), "--cacert", loupe.caPem.toString(),
                    origins.url(Site.GOOD, "/index.html?ja4-blocked"));
            assertThat(blocked.exitCode()).as("curl is refused during its handshake").isNotZero();
            assertThat(blocked.text()).doesNotContain(Origins.MARKER);
            guarded.awaitLog(n -> n.path("verdict").asText().equals("block")
                    && n.path("reason").asText().contains("no-curl") && n.path("reason").asText().contains(curlJa4));
            String dom = dumpDom(origins.url(Site.GOOD, "/index.html?ja4-chromium"), "--proxy-server=" + guarded.proxy());
            assertThat(dom).as("Chromium's hello is another JA4: it passes").contains(Origins.MARKER);
            var chromium = guarded.awaitLog(n -> n.path("type").asText().equals("connection")
                    && n.path("verdict").asText().equals("decrypt")).stream()
                    .filter(n -> n.path("type").asText().equals("connection") && n.path("verdict").asText().equals("decrypt"))
                    .findFirst().orElseThrow().path("fingerprints");
            assertThat(chromium.path("ja4").asText()).startsWith("t13d").isNotEqualTo(curlJa4);
            System.out.printf("JA4 curl %s (JA3 %s), Chromium %s (JA3 %s)%n", curlJa4, fp.path("ja3").asText(),
                    chromium.path("ja4").asText(), chromium.path("ja3").asText());
        }
    }

    @Test
    void showsLoupesErrorPageForAnExpiredOrigin() throws Exception {
        String dom = dumpDom(origins.url(Site.EXPIRED, "/index.html"));
        assertThat(dom).contains("id=\"loupe-error\"").contains("expired").doesNotContain(Origins.MARKER);
    }

    private static String dumpDom(String url) throws Exception {
        return dumpDom(url, "--proxy-server=" + loupe.proxy());
    }

    private static String dumpDom(String url, String proxyFlag) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Partners.require("chromium"),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-features=NetworkTimeServiceQuerying", "--disable-domain-reliability", "--no-pings",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"),
                proxyFlag,
                // Chromium never proxies loopback by default; the test origin is on loopback
                "--proxy-bypass-list=<-loopback>",
                "--dump-dom", url));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(dir.resolve("chromium.err").toFile());
        pb.environment().put("HOME", home.toString());
        Process p = pb.start();
        String dom = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish");
        }
        return dom;
    }

    private static void exec(String... cmd) throws Exception {
        cmd[0] = Partners.require(cmd[0]);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(Partners.finish(p)).as(out).isZero();
    }
}
