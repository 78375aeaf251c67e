package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bad origin certificate is never masked: the client gets Loupe's error page naming the problem
 * (or, configured to reject, a closed connection), never the origin's content.
 */
class UpstreamProblemsIT {
    @TempDir
    static Path dir;
    static Origins origins;
    static GatewayUnderTest loupe;

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, "");
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(loupe, origins);
    }

    @Test
    void anHttp2OnlyOriginServesH2ClientsAndGivesHttp11ClientsA502ThatSaysSo() throws Exception {
        Path crt = dir.resolve("h2.crt");
        Path key = dir.resolve("h2.key");
        java.time.Instant now = java.time.Instant.now();
        TestCertificates.leaf(origins.ca, Origins.HOST, now.minusSeconds(60), now.plusSeconds(86_400), Origins.HOST)
                .writePem(crt, key);
        int port = Partners.freePort();
        Process nghttpd = new ProcessBuilder(Partners.require("nghttpd"), "-a", "127.0.0.1", String.valueOf(port),
                key.toString(), crt.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("nghttpd.out").toFile())
                .start();
        try {
            Partners.awaitPort(port, 5_000);
            // a client that offers h2: Loupe offers it upstream too, and the exchange is h2 on both sides
            Curl.Result h2 = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "--http2",
                    "-w", "\n%{http_code} %{http_version}", "https://" + Origins.HOST + ":" + port + "/");
            assertThat(h2.text()).as(h2.stderr()).endsWith("\n404 2");
            // a client that offers only http/1.1 cannot be served by an origin that speaks only h2
            Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "--http1.1",
                    "-w", "\n%{http_code}", "https://" + Origins.HOST + ":" + port + "/");
            assertThat(r.text()).endsWith("\n502").contains("HTTP/2").doesNotContainIgnoringCase("line feed");
        } finally {
            nghttpd.destroy();
            nghttpd.waitFor();
        }
        // an origin that answers with its HTTP/2 preface whatever ALPN said (a SETTINGS frame on stream 0)
        try (LineOrigin h2 = new LineOrigin(origins.ca, "\0\0\0\4\0\0\0\0\0", 0)) {
            Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "--http1.1",
                    "-w", "\n%{http_code}",
                    "https://" + Origins.HOST + ":" + h2.port() + "/");
            assertThat(r.text()).endsWith("\n502").contains("answered in HTTP/2").doesNotContainIgnoringCase("line");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "EXPIRED,        the certificate has expired",
        "NOT_YET_VALID,  not yet valid",
        "SELF_SIGNED,    self-signed",
        "WRONG_HOST,     does not match the host name",
        "UNTRUSTED_ROOT, not trusted",
    })
    void badCertificateGivesErrorPageNamingProblemAndHost(Site site, String problem) throws Exception {
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                "-w", "\n%{http_code}", origins.url(site, "/index.html"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.text()).endsWith("\n502")
                .contains("Untrusted upstream certificate")
                .containsIgnoringCase(problem)
                .contains("Host: " + Origins.HOST)
                .doesNotContain(Origins.MARKER);
        var records = loupe.awaitLog(n -> n.path("verdict").asText().equals("error-page")
                && n.path("target").asText().endsWith(":" + origins.ports.get(site)));
        assertThat(records).anyMatch(n -> n.path("upstream_certificate").path("validation").asText().equals("untrusted"));
    }

    @Test
    void browsersGetAnHtmlErrorPage() throws Exception {
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                "-H", "Accept: text/html,application/xhtml+xml", origins.url(Site.EXPIRED, "/index.html"));
        assertThat(r.text()).startsWith("<!DOCTYPE html>").contains("id=\"loupe-error\"")
                .contains("upstream.test").doesNotContain(Origins.MARKER);
    }

    @Test
    void rejectModeClosesTheConnectionWithoutContent() throws Exception {
        Path d = Files.createDirectories(dir.resolve("strict"));
        try (GatewayUnderTest reject = GatewayUnderTest.start(d, origins, "  on-invalid-certificate: reject", "")) {
            Curl.Result r = Curl.run(dir, "-x", reject.proxy(), "--cacert", reject.caPem.toString(),
                    origins.url(Site.SELF_SIGNED, "/index.html"));
            assertThat(r.exitCode()).as("curl must fail").isNotZero();
            assertThat(r.text()).doesNotContain(Origins.MARKER);
            reject.awaitLog(n -> n.path("verdict").asText().equals("reject"));
        }
    }

    @Test
    void unresolvableHostGives502NamingTheReason() throws Exception {
        String answer = RawProxyClient.connect(loupe.port, "no-such-host.test:443");
        assertThat(answer).startsWith("HTTP/1.1 502").contains("could not resolve host")
                .contains("no-such-host.test");
    }

    @Test
    void refusedConnectionGives502NamingTheReason() throws Exception {
        int closedPort = Partners.freePort();
        String answer = RawProxyClient.connect(loupe.port, "127.0.0.1:" + closedPort);
        assertThat(answer).startsWith("HTTP/1.1 502").contains("connection refused");
    }

    @Test
    void originThatNeverAnswersTlsGives504AfterTheHandshakeTimeout() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
             GatewayUnderTest quick = GatewayUnderTest.start(Files.createDirectories(dir.resolve("quick")), origins,
                     "  handshake-timeout: 1s", "")) {
            Thread.ofVirtual().start(() -> {
                try (java.net.Socket s = silent.accept()) {
                    Thread.sleep(5_000); // accept TCP, never speak TLS
                } catch (Exception ignored) {
                    // the test asserts on what the client got
                }
            });
            Curl.Result r = Curl.run(dir, "-x", quick.proxy(), "--cacert", quick.caPem.toString(),
                    "-w", "\n%{http_code}", "https://" + Origins.HOST + ":" + silent.getLocalPort() + "/");
            assertThat(r.text()).endsWith("\n504").contains("timed out").contains(Origins.HOST);
        }
    }

    @Test
    void originThatResetsDuringTheHandshakeGives502NamingTheReset() throws Exception {
        try (java.net.ServerSocket resetting = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (java.net.Socket s = resetting.accept()) {
                    s.getInputStream().read(new byte[512]); // read part of the ClientHello
                    s.setSoLinger(true, 0);                 // then close with RST
                } catch (Exception ignored) {
                    // the test asserts on what the client got
                }
            });
            Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                    "-w", "\n%{http_code}", "https://" + Origins.HOST + ":" + resetting.getLocalPort() + "/");
            assertThat(r.text()).endsWith("\n502").contains("connection reset").contains(Origins.HOST);
        }
    }
}
