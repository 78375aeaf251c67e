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

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, "");
        admin = "http://127.0.0.1:" + loupe.gateway.adminAddress().getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(loupe, origins);
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
