package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web dashboard on the admin listener: headless Chromium signs in through the one-time link and renders a
 * session that curl made through Loupe; a screenshot is kept; the API refuses the browser's cookie without the
 * session's CSRF token, and everything without a cookie or token.
 */
class DashboardIT {
    @TempDir
    static Path dir;
    static Origins origins;
    static GatewayUnderTest loupe;
    static String admin;
    static IcapServers icap;

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        icap = IcapServers.start(dir.resolve("icap"), 1);
        Path feeds = Files.createDirectories(dir.resolve("feeds"));
        Files.writeString(feeds.resolve("vendor.csv"), """
                Type,Object,Scan Action,Expiration
                Domain,listed.test,Block,2030-01-01T00:00:00Z
                File SHA-1,3395856ce81f2b7382dee72602f798b642f14140,Block,
                """);
        int dead = Partners.freePort();
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                icap:
                  services:
                    - {name: av, mode: respmod, failure-mode: fail-open, mark-down-after: 1, revive-after: 60s,
                       servers: [%s, "icap://127.0.0.1:%d/avscan"]}
                mirror: {sinks: [{type: pcap-file, directory: %s}]}
                intel:
                  sources:
                    - {name: vendor, type: file, format: csv, path: %s/vendor.csv, interval: 1s,
                       columns: {type: Type, value: Object, expires: Expiration}, types: {Domain: domain}}
                policy:
                  rules:
                    - {name: dash-block, hosts: [ruled-out.test], action: block}
                """.formatted(icap.uri(0), dead, dir.resolve("pcap"), feeds));
        admin = "http://127.0.0.1:" + loupe.gateway.adminAddress().getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(loupe, origins);
        icap.close();
    }

    @Test
    void underLoadTheDashboardShowsChartsToolsSourcesRulesAndTheCa() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        // bounded load: two curl loops (decrypted HTTPS, plain HTTP and a blocked host) until the screenshot is taken
        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            load.add(Thread.ofPlatform().start(() -> {
                while (running.get() && requests.get() < 2_000) {
                    try {
                        Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                                origins.url(Site.GOOD, "/index.html?load"),
                                "http://127.0.0.1:" + origins.plainPort + "/index.html?plain",
                                "https://ruled-out.test:" + origins.ports.get(Site.GOOD) + "/");
                        requests.incrementAndGet();
                    } catch (Exception e) {
                        return;
                    }
                }
            }));
        }
        try (Cdp browser = Cdp.start(dir)) {
            browser.navigate(loupe.gateway.dashboardLink());
            // a chart needs two samples of the history (5 s apart)
            browser.await("document.querySelectorAll('#chart-connections polyline').length > 0 && "
                    + "document.querySelector('#chart-connections polyline').getAttribute('points').split(' ').length >= 2",
                    20_000);
            browser.await("document.querySelector('#tools tbody').textContent.includes('icap respmod')", 10_000);
            String tools = browser.eval("document.querySelector('#tools tbody').innerText").asText();
            assertThat(tools).as("the av service's two servers, one dead").contains("av").contains("fail-open")
                    .contains("127.0.0.1:" + icap.ports.get(0) + "/avscan").contains("down").contains("up")
                    .contains("mirror");
            String sources = browser.eval("document.querySelector('#sources tbody').innerText").asText();
            assertThat(sources).contains("vendor").contains("file / csv").contains("type File SHA-1: 1");
            browser.await("[...document.querySelectorAll('#rules tbody tr')].some(r => "
                    + "r.cells[1].textContent === 'dash-block' && Number(r.cells[4].textContent) > 0)", 10_000);
            String rules = browser.eval("document.querySelector('#rules tbody').innerText").asText();
            assertThat(rules).contains("hosts: ruled-out.test").contains("default");
            String ca = browser.eval("document.querySelector('#ca').innerText").asText();
            assertThat(ca).contains(loupe.gateway.services().ca().sha256Fingerprint()).contains("PEM");
            String now = browser.eval("document.querySelector('#now').innerText").asText();
            assertThat(now).contains("connections/s").contains("decrypt");
            // filter the sessions by verdict, open one record
            browser.eval("const f = document.querySelector('#filters select[name=verdict]'); f.value = 'block';"
                    + "f.dispatchEvent(new Event('input', {bubbles: true})); true");
            browser.await("document.querySelectorAll('#sessions tbody tr').length > 0 && "
                    + "[...document.querySelectorAll('#sessions tbody tr')].every(r => r.cells[4].textContent === 'block')",
                    10_000);
            browser.eval("document.querySelector('#sessions tbody tr').click(); true");
            browser.await("!document.querySelector('#record').hidden && "
                    + "document.querySelector('#record').textContent.includes('dash-block')", 5_000);
            browser.eval("const g = document.querySelector('#filters select[name=verdict]'); g.value = '';"
                    + "g.dispatchEvent(new Event('input', {bubbles: true})); true");
            browser.await("[...document.querySelectorAll('#sessions tbody tr')].some(r => r.cells[4].textContent === 'decrypt')",
                    5_000);
            Path screenshot = Path.of("target", "dashboard-under-load.png").toAbsolutePath();
            Files.createDirectories(screenshot.getParent());
            browser.screenshot(screenshot, 1440);
            assertThat(Files.size(screenshot)).as("a PNG was written").isGreaterThan(30_000);
            // a refused reload is shown where the operator looks first (this node has no file to re-read)
            assertThat(loupe.gateway.reload(false).result()).isEqualTo("refused");
            browser.await("document.querySelector('#reload').textContent.includes('last reload refused') && "
                    + "document.querySelector('#reload').className === 'problem'", 5_000);
        } finally {
            running.set(false);
            for (Thread t : load) {
                t.join(30_000);
            }
        }
        assertThat(requests.get()).as("load ran").isPositive();
    }

    @Test
    void chromiumSignsInWithTheOneTimeLinkAndSeesASessionCurlMade() throws Exception {
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                origins.url(Site.GOOD, "/index.html?for-the-dashboard"));
        assertThat(r.text()).contains(Origins.MARKER);
        loupe.awaitLog(n -> n.path("type").asText().equals("connection") && n.path("verdict").asText().equals("decrypt"));
        String target = Origins.HOST + ":" + origins.ports.get(Site.GOOD);

        String dom = chromium("--dump-dom", loupe.gateway.dashboardLink());
        assertThat(dom).as(dom).contains("id=\"status\" class=\"badge ok\"").contains("<td>" + target + "</td>")
                .contains("<td>decrypt</td>");
        Path screenshot = Path.of("target", "dashboard.png").toAbsolutePath();
        Files.createDirectories(screenshot.getParent());
        Files.deleteIfExists(screenshot);
        chromium("--screenshot=" + screenshot, "--window-size=1280,900", loupe.gateway.dashboardLink());
        assertThat(screenshot).exists();
        assertThat(Files.size(screenshot)).as("a PNG was written").isGreaterThan(10_000);
    }

    @Test
    void theApiRefusesACookieWithoutItsCsrfTokenAndAnyoneWithoutCookieOrToken() throws Exception {
        Path jar = dir.resolve("cookies.txt");
        String link = loupe.gateway.dashboardLink();
        Curl.Result page = Curl.run(dir, "-c", jar.toString(), "-b", jar.toString(), "-L", "-D",
                dir.resolve("headers.txt").toString(), link);
        String headers = Files.readString(dir.resolve("headers.txt"));
        assertThat(headers).containsIgnoringCase("set-cookie: loupe_session=").containsIgnoringCase("HttpOnly")
                .containsIgnoringCase("SameSite=Strict").containsIgnoringCase("content-security-policy: default-src 'none'");
        Matcher csrf = Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"").matcher(page.text());
        assertThat(csrf.find()).as(page.text()).isTrue();
        assertThat(status("-b", jar.toString(), admin + "/api/status")).isEqualTo("200");
        assertThat(status(admin + "/api/status")).as("no cookie, no token").isEqualTo("401");
        assertThat(status(admin + "/ui/")).as("the page without a session").isEqualTo("303");
        assertThat(status(link)).as("a one-time link works once").isEqualTo("403");
        String push = "{\"type\":\"domain\",\"value\":\"from-the-dashboard.test\"}";
        assertThat(status("-b", jar.toString(), "-X", "POST", "-H", "Content-Type: application/json", "--data", push,
                admin + "/api/indicators")).as("the cookie alone, as a cross-site form would send it").isEqualTo("403");
        assertThat(status("-b", jar.toString(), "-X", "POST", "-H", "X-CSRF-Token: wrong", "--data", push,
                admin + "/api/indicators")).isEqualTo("403");
        assertThat(status("-b", jar.toString(), "-X", "POST", "-H", "X-CSRF-Token: " + csrf.group(1), "--data", push,
                admin + "/api/indicators")).as("what the dashboard's script sends").isEqualTo("201");
        assertThat(status("-b", jar.toString(), "-X", "DELETE", "-H", "X-CSRF-Token: " + csrf.group(1),
                admin + "/api/indicators?type=domain&value=from-the-dashboard.test")).isEqualTo("200");
        assertThat(status("-X", "POST", "--data", "token=wrong", admin + "/ui/login")).isEqualTo("401");
    }

    @Test
    void chromiumRemovesABypassAndAddsAndRemovesAnIndicatorThroughThePage() throws Exception {
        // a pinning client: openssl refuses the forged certificate three times, so the host is bypassed for it
        String pinned = "pinned.test:" + origins.ports.get(Site.GOOD);
        for (int i = 0; i < 3; i++) {
            Process p = new ProcessBuilder(Partners.require("openssl"), "s_client", "-connect", pinned, "-proxy",
                    "127.0.0.1:" + loupe.port, "-servername", "pinned.test", "-verify_return_error", "-CAfile",
                    origins.originCa.toString()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            p.getInputStream().readAllBytes();
            Partners.finish(p);
        }
        assertThat(api("/api/bypasses")).contains("pinned.test");
        try (Cdp browser = Cdp.start(dir)) {
            browser.navigate(loupe.gateway.dashboardLink());
            browser.await("document.querySelector('#bypasses tbody') && "
                    + "document.querySelector('#bypasses tbody').textContent.includes('pinned.test')", 10_000);
            // add an indicator with the form, as a user would
            browser.eval("document.querySelector('#push input[name=value]').value = 'clicked.test';"
                    + "document.querySelector('#push button').click(); true");
            browser.await("document.querySelector('#indicators tbody').textContent.includes('clicked.test')", 10_000);
            assertThat(api("/api/indicators/match?host=clicked.test")).contains("\"matched\" : true");
            // remove it with its row's button
            browser.eval("[...document.querySelectorAll('#indicators tbody tr')]"
                    + ".find(r => r.textContent.includes('clicked.test')).querySelector('button.unblock').click(); true");
            browser.await("!document.querySelector('#indicators tbody').textContent.includes('clicked.test')", 10_000);
            assertThat(api("/api/indicators/match?host=clicked.test")).contains("\"matched\" : false");
            // end the bypass
            browser.eval("[...document.querySelectorAll('#bypasses tbody tr')]"
                    + ".find(r => r.textContent.includes('pinned.test')).querySelector('button.revoke').click(); true");
            browser.await("!document.querySelector('#bypasses tbody').textContent.includes('pinned.test')", 10_000);
            assertThat(api("/api/bypasses")).doesNotContain("\"host\" : \"pinned.test\", \"client\"")
                    .contains("\"active\" : [ ]");
        }
    }

    @Test
    void firefoxSignsInRendersThePanelsAndAddsAndRemovesAnIndicator() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Bidi.binary() != null,
                "firefox-esr is not installed (.ci/run installs it): the Firefox check is skipped");
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                origins.url(Site.GOOD, "/index.html?for-firefox"));
        assertThat(r.text()).contains(Origins.MARKER);
        try (Bidi firefox = Bidi.start(dir)) {
            firefox.navigate(loupe.gateway.dashboardLink());
            firefox.await("document.querySelector('#sessions tbody') && "
                    + "document.querySelector('#sessions tbody').textContent.includes('for-firefox')", 20_000);
            firefox.await("document.querySelector('#tools tbody').textContent.includes('icap respmod') && "
                    + "document.querySelector('#ca').textContent.includes('SHA-256') && "
                    + "document.querySelector('#status').className === 'badge ok'", 10_000);
            firefox.eval("document.querySelector('#push input[name=value]').value = 'from-firefox.test';"
                    + "document.querySelector('#push button').click(); true");
            firefox.await("document.querySelector('#indicators tbody').textContent.includes('from-firefox.test')",
                    10_000);
            assertThat(api("/api/indicators/match?host=from-firefox.test")).contains("\"matched\" : true");
            firefox.eval("[...document.querySelectorAll('#indicators tbody tr')]"
                    + ".find(r => r.textContent.includes('from-firefox.test')).querySelector('button.unblock').click(); true");
            firefox.await("!document.querySelector('#indicators tbody').textContent.includes('from-firefox.test')",
                    10_000);
            assertThat(api("/api/indicators/match?host=from-firefox.test")).contains("\"matched\" : false");
        }
    }

    /** An admin API answer, with the bearer token as a script would call it. */
    private static String api(String path) throws Exception {
        String token = Files.readString(loupe.caPem.getParent().resolve("admin.token")).strip();
        return Curl.run(dir, "-H", "Authorization: Bearer " + token, admin + path).text();
    }

    private static String status(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-o", "/dev/null", "-w", "%{http_code}"));
        all.addAll(List.of(args));
        return Curl.run(dir, all.toArray(String[]::new)).text();
    }

    private static String chromium(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Partners.require("chromium"), "--headless", "--no-sandbox",
                "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"),
                // the page polls the API: let its first refresh finish before the DOM is taken
                "--virtual-time-budget=5000"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(dir.resolve("chromium.err").toFile());
        pb.environment().put("HOME", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish");
        }
        return out;
    }
}
