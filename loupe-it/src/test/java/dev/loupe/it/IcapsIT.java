package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.it.Origins.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ICAP over TLS (icaps://) to real c-icap + ClamAV behind stunnel4, the server's certificate validated; and the
 * verdict headers of the vendors (here a scripted ICAP server sending X-Virus-ID, X-Blocked-Reason and
 * X-Response-Info, plus c-icap's own X-Infection-Found) normalised into the exchange line, with the service's
 * configured request headers sent.
 */
class IcapsIT {
    @TempDir
    static Path dir;
    static IcapServers icap;
    static Origins origins;
    static Process stunnel;
    static Process scripted;
    static int icapsPort;
    static int scriptedPort;
    static GatewayUnderTest loupe;

    @BeforeAll
    static void start() throws Exception {
        icap = IcapServers.start(dir.resolve("icap"), 1);
        origins = Origins.start(dir.resolve("origins"));
        Files.writeString(origins.www.resolve("eicar.com"), IcapServers.EICAR);
        Files.writeString(origins.www.resolve("vendor.bin"), "a file the scripted vendor blocks\n");
        // stunnel's certificate for 127.0.0.1, from a CA only this test's gateway trusts
        TestCertificates.Issued ca = TestCertificates.ca("ICAPS Test CA");
        Path caPem = dir.resolve("icaps-ca.pem");
        TestCertificates.write(caPem, ca.certificate());
        Instant now = Instant.now();
        TestCertificates.leaf(ca, "127.0.0.1", now.minusSeconds(60), now.plusSeconds(86_400), "127.0.0.1")
                .writePem(dir.resolve("stunnel.crt"), dir.resolve("stunnel.key"));
        icapsPort = Partners.freePort();
        Files.writeString(dir.resolve("stunnel.conf"), """
                foreground = yes
                pid = %1$s/stunnel.pid
                output = %1$s/stunnel.log
                [icaps]
                accept = 127.0.0.1:%2$d
                connect = 127.0.0.1:%3$d
                cert = %1$s/stunnel.crt
                key = %1$s/stunnel.key
                """.formatted(dir, icapsPort, icap.ports.get(0)));
        stunnel = new ProcessBuilder(Partners.require("stunnel"), dir.resolve("stunnel.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stunnel.out").toFile()).start();
        Partners.awaitPort(icapsPort, 10_000);
        scriptedPort = Partners.freePort();
        scripted = ScriptedIcap.start(dir, "vendor", scriptedPort, true);
        Partners.awaitPort(scriptedPort, 10_000);
        Path wrongCa = dir.resolve("wrong-ca.pem");
        TestCertificates.write(wrongCa, TestCertificates.ca("Not the ICAPS CA").certificate());
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                icap:
                  services:
                    - name: av-tls
                      mode: respmod
                      servers: [icaps://127.0.0.1:%d/avscan]
                      tls: {ca-bundle: %s}
                      hosts: [upstream.test]
                    - name: vendor
                      mode: respmod
                      servers: [icap://127.0.0.1:%d/vendor]
                      hosts: [blocked.test]
                      request-headers: {X-ICAP-Profile: strict, X-TE: trailers}
                    - name: untrusted-tls
                      mode: respmod
                      servers: [icaps://127.0.0.1:%d/avscan]
                      tls: {ca-bundle: %s}
                      hosts: [pushed.test]
                      failure-mode: fail-closed
                """.formatted(icapsPort, caPem, scriptedPort, icapsPort, wrongCa));
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(loupe, origins, icap);
        for (Process p : new Process[] {stunnel, scripted}) {
            if (p != null) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void eicarIsBlockedThroughIcapsAndTheVerdictIsNormalised() throws Exception {
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "-w", "\n%{http_code}",
                origins.url(Site.GOOD, "/eicar.com"));
        assertThat(r.text()).endsWith("\n403").contains(IcapServers.THREAT).doesNotContain("EICAR-STANDARD");
        JsonNode av = icapResult("/eicar.com", "av-tls");
        assertThat(av.path("result").asText()).isEqualTo("blocked");
        assertThat(av.path("server").asText()).startsWith("icaps://127.0.0.1:" + icapsPort);
        assertThat(av.path("threat").asText()).isEqualTo(IcapServers.THREAT);
        assertThat(av.path("category").asText()).isEqualTo("virus");
        assertThat(av.path("resolution").asText()).isNotEmpty();
        // a clean file passes through the same TLS service
        Curl.Result clean = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                origins.url(Site.GOOD, "/index.html"));
        assertThat(clean.text()).contains(Origins.MARKER);
        assertThat(Files.readString(dir.resolve("stunnel.log"))).contains("accepted connection");
    }

    @Test
    void aServerWhoseCertificateIsNotTrustedIsNeverUsedAndFailClosedHolds() throws Exception {
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "-w", "\n%{http_code}",
                "http://pushed.test:" + origins.plainPort + "/index.html?untrusted");
        assertThat(r.text()).endsWith("\n503").contains("untrusted-tls").doesNotContain(Origins.MARKER);
        JsonNode result = icapResult("/index.html?untrusted", "untrusted-tls");
        System.out.println("untrusted icaps server: " + result);
        assertThat(result.path("result").asText()).isEqualTo("error");
    }

    @Test
    void vendorVerdictHeadersAppearNormalisedAndTheConfiguredHeadersAreSent() throws Exception {
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "-w", "\n%{http_code}",
                "http://blocked.test:" + origins.plainPort + "/vendor.bin");
        assertThat(r.text()).endsWith("\n403").contains("blocked by the scripted vendor");
        JsonNode vendor = icapResult("/vendor.bin", "vendor");
        assertThat(vendor.path("result").asText()).isEqualTo("blocked");
        assertThat(vendor.path("threat").asText()).isEqualTo("Scripted.Trojan.42");
        assertThat(vendor.path("category").asText()).isEqualTo("Malware Sites");
        assertThat(vendor.path("resolution").asText()).isEqualTo("blocked");
        String requests = Files.readString(dir.resolve("vendor-requests.log"));
        assertThat(requests).contains("GET http://blocked.test:" + origins.plainPort + "/vendor.bin");
        assertThat(requests).contains("RESPMOD icap://127.0.0.1:" + scriptedPort + "/vendor ICAP/1.0")
                .contains("X-ICAP-Profile: strict").contains("X-TE: trailers");
    }

    private static JsonNode icapResult(String path, String service) throws Exception {
        List<JsonNode> records = loupe.awaitLog(n -> n.path("type").asText().equals("exchange")
                && n.path("url").asText().endsWith(path));
        JsonNode exchange = records.stream().filter(n -> n.path("type").asText().equals("exchange")
                && n.path("url").asText().endsWith(path)).reduce((a, b) -> b).orElseThrow();
        for (JsonNode i : exchange.path("icap")) {
            if (i.path("service").asText().equals(service)) {
                return i;
            }
        }
        throw new AssertionError("no ICAP result of " + service + " in " + exchange);
    }
}
