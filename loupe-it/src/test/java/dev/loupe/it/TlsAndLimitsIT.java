package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The client-facing TLS policy (1.2/1.3, ECDHE + AEAD only) and the per-connection limits. */
class TlsAndLimitsIT {
    @TempDir
    static Path dir;
    static Origins origins;
    static GatewayUnderTest loupe;

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                limits: {max-connections: 20, max-header-size: 4096}
                """);
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(loupe, origins);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "-tls1_3, '',                              true",
        "-tls1_2, ECDHE-ECDSA-AES128-GCM-SHA256,   true",
        "-tls1_2, ECDHE-ECDSA-CHACHA20-POLY1305,   true",
        "-tls1_2, ECDHE-ECDSA-AES128-SHA256,       false",
        "-tls1_2, ECDHE-ECDSA-AES128-SHA,          false",
        "-tls1_1, '',                              false",
    })
    void clientSideAcceptsOnlyModernProtocolsAndAeadSuites(String version, String cipher, boolean accepted)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Partners.require("openssl"), "s_client", "-connect",
                Origins.HOST + ":" + origins.ports.get(Site.GOOD), "-proxy", "127.0.0.1:" + loupe.port,
                "-servername", Origins.HOST, "-CAfile", loupe.caPem.toString(), version));
        if (!cipher.isBlank()) {
            cmd.addAll(List.of("-cipher", cipher + (version.equals("-tls1_1") ? "" : ":@SECLEVEL=0")));
        } else if (version.equals("-tls1_1")) {
            cmd.addAll(List.of("-cipher", "DEFAULT:@SECLEVEL=0"));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        Partners.finish(p);
        // s_client prints "New, (NONE), Cipher is (NONE)" when no session was agreed
        if (accepted) {
            assertThat(out).as(out).contains("Verify return code: 0 (ok)").doesNotContain("Cipher is (NONE)");
        } else {
            assertThat(out).as(out).contains("Cipher is (NONE)");
        }
    }

    @Test
    void oversizedHeaderGets431AndOnlyThatConnectionSuffers() throws Exception {
        Curl.Result big = Curl.run(dir, "-x", loupe.proxy(), "-H", "X-Big: " + "a".repeat(8_000),
                "-w", "\n%{http_code}", "http://127.0.0.1:" + origins.plainPort + "/index.html");
        assertThat(big.text()).endsWith("\n431");
        Curl.Result ok = Curl.run(dir, "-x", loupe.proxy(), "-w", "\n%{http_code}",
                "http://127.0.0.1:" + origins.plainPort + "/index.html");
        assertThat(ok.text()).endsWith("\n200").contains(Origins.MARKER);
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedWhileOthersKeepWorking() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                idle.add(new Socket("127.0.0.1", loupe.port));
            }
            Thread.sleep(300);
            try (Socket extra = new Socket("127.0.0.1", loupe.port)) {
                extra.setSoTimeout(5_000);
                assertThat(extra.getInputStream().read()).as("closed by the gateway").isEqualTo(-1);
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
        Thread.sleep(300);
        Curl.Result ok = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                origins.url(Site.GOOD, "/index.html"));
        assertThat(ok.text()).contains(Origins.MARKER);
    }
}
