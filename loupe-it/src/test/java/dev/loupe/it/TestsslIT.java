package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.it.Origins.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, items 1 and 8: {@code testssl.sh --proxy} against a decrypted host grades the TLS Loupe offers its
 * clients, and its hundreds of odd, refused and aborted handshakes never switch decryption off (no auto-bypass).
 */
class TestsslIT {
    @TempDir
    Path dir;

    @Test
    void testsslThroughTheProxyGradesLoupesTlsAndGrantsNoBypass() throws Exception {
        try (Origins origins = Origins.start(dir.resolve("origins"));
             GatewayUnderTest loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                     policy:
                       auto-bypass: {failures: 3, window: 10m, duration: 10m}
                     """)) {
            Path json = dir.resolve("testssl.json");
            // testssl 3.0 opens its bash sockets directly even with --proxy, falling back to the proxied one only when
            // the direct connect fails: give it an address where nothing listens (the proxy is asked for the name
            // and resolves it itself), so that only Loupe is graded
            String target = "pushed.test:" + origins.ports.get(Site.GOOD);
            Process p = new ProcessBuilder(Partners.require("testssl"), "--quiet", "--color", "0", "--warnings", "off",
                    "--proxy", "127.0.0.1:" + loupe.port, "--ip", "127.0.0.9", "--add-ca", loupe.caPem.toString(),
                    "--protocols", "--server-defaults", "--jsonfile", json.toString(), target)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("testssl.out").toFile()).start();
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("testssl finished").isTrue();
            String out = Files.readString(dir.resolve("testssl.out"));
            Files.writeString(Path.of("target", "testssl.out"), out);
            Files.copy(loupe.accessLog, Path.of("target", "testssl-loupe.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Map<String, String> findings = new HashMap<>();
            for (JsonNode n : new ObjectMapper().readTree(json.toFile())) {
                findings.put(n.path("id").asText(), n.path("finding").asText());
            }
            assertThat(findings).as(out).containsKeys("SSLv3", "TLS1_2", "TLS1_3");
            for (String old : new String[] {"SSLv2", "SSLv3", "TLS1", "TLS1_1"}) {
                assertThat(findings.get(old)).as(old + "\n" + out).startsWith("not offered");
            }
            assertThat(findings.get("TLS1_2")).as(out).startsWith("offered");
            assertThat(findings.get("TLS1_3")).startsWith("offered");
            // the forged certificate: Loupe's CA, trusted here, naming the host
            assertThat(findings.toString()).contains("Loupe Inspection CA");
            // the probes for old versions did reach Loupe, which refused them
            assertThat(loupe.readLog()).anySatisfy(n -> assertThat(n.path("close_reason").asText())
                    .contains("UNSUPPORTED_PROTOCOL"));
            String token = Files.readString(dir.resolve("loupe/data/admin.token")).strip();
            String bypasses = Curl.run(dir, "-H", "Authorization: Bearer " + token,
                    "http://127.0.0.1:" + loupe.gateway.adminAddress().getPort() + "/api/bypasses").text();
            assertThat(bypasses).doesNotContain("pushed.test");
            System.out.println("testssl findings: " + findings);
        }
    }
}
