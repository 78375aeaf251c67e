package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** curl through Loupe to a real nginx origin: decrypt, forge, validate, relay. */
class DecryptWithCurlIT {
    @TempDir
    static Path dir;
    static Origins origins;
    static GatewayUnderTest loupe;

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        loupe = GatewayUnderTest.start(java.nio.file.Files.createDirectories(dir.resolve("loupe")), origins, "");
    }

    @AfterAll
    static void stop() throws Exception {
        if (loupe != null) {
            loupe.close();
        }
        if (origins != null) {
            origins.close();
        }
    }

    @Test
    void bodyArrivesByteExactOverForgedCertificateCarryingOriginNames() throws Exception {
        Path body = dir.resolve("300k.out");
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "-v",
                "-o", body.toString(), origins.url(Site.GOOD, "/300k.bin"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(Origins.sha256(body)).isEqualTo(Origins.sha256(origins.www.resolve("300k.bin")));
        // curl -v prints the certificate it verified: issued by Loupe, names mirrored from nginx's
        assertThat(r.stderr()).contains("issuer: O=Loupe; CN=Loupe Inspection CA")
                .contains("subject: CN=upstream.test")
                .contains("SSL certificate verify ok");
        var records = loupe.awaitLog(n -> n.path("type").asText().equals("connection")
                && n.path("target").asText().endsWith(":" + origins.ports.get(Site.GOOD)));
        var conn = records.stream().filter(n -> n.path("type").asText().equals("connection")).findFirst().orElseThrow();
        assertThat(conn.path("verdict").asText()).isEqualTo("decrypt");
        assertThat(conn.path("sni").asText()).isEqualTo(Origins.HOST);
        assertThat(conn.path("upstream_certificate").path("validation").asText()).isEqualTo("trusted");
        assertThat(conn.path("client_tls").path("version").asText()).isEqualTo("TLSv1.3");
    }

    @Test
    void forgedCertificateMirrorsEverySanOfTheOrigin() throws Exception {
        Path cert = dir.resolve("seen.pem");
        // openssl s_client through the CONNECT tunnel shows the certificate as the client sees it
        Process p = new ProcessBuilder(Partners.require("openssl"), "s_client", "-connect",
                Origins.HOST + ":" + origins.ports.get(Site.GOOD), "-proxy", "127.0.0.1:" + loupe.port,
                "-servername", Origins.HOST, "-CAfile", loupe.caPem.toString(), "-verify_return_error")
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(Partners.finish(p)).as(out).isZero();
        assertThat(out).contains("Verify return code: 0 (ok)");
        int begin = out.indexOf("-----BEGIN CERTIFICATE-----");
        int end = out.indexOf("-----END CERTIFICATE-----") + 25;
        java.nio.file.Files.writeString(cert, out.substring(begin, end) + "\n");
        Process text = new ProcessBuilder(Partners.require("openssl"), "x509", "-in", cert.toString(), "-noout",
                "-ext", "subjectAltName,authorityKeyIdentifier,subjectKeyIdentifier", "-issuer").start();
        String x509 = new String(text.getInputStream().readAllBytes());
        Partners.finish(text);
        assertThat(x509).contains("DNS:upstream.test").contains("DNS:localhost").contains("IP Address:127.0.0.1")
                .contains("X509v3 Authority Key Identifier").contains("X509v3 Subject Key Identifier")
                .contains("CN = Loupe Inspection CA");
    }

    @Test
    void keepAliveTunnelCarriesSeveralRequests() throws Exception {
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{num_connects}\\n",
                origins.url(Site.GOOD, "/1k.bin"), origins.url(Site.GOOD, "/1k.bin?b"),
                origins.url(Site.GOOD, "/index.html"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        // curl opens one tunnel and reuses it: connects are 1, 0, 0
        assertThat(r.text().strip().split("\\s+")).containsExactly("1", "0", "0");
        loupe.awaitLog(n -> n.path("url").asText().endsWith("/index.html"));
    }

    @Test
    void headRequestGetsHeadersOnly() throws Exception {
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "-I",
                origins.url(Site.GOOD, "/300k.bin"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.text()).startsWith("HTTP/1.1 200 Connection Established")
                .contains("HTTP/1.1 200 OK").containsIgnoringCase("content-length: 307200");
    }
}
