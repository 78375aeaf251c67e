package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ways a client could switch inspection off or slip past it (issue 11), tried against the running gateway
 * with real clients (curl, openssl) and raw sockets from two loopback addresses.
 */
class EvasionIT {
    @TempDir
    static Path dir;
    static Origins origins;
    static GatewayUnderTest loupe;
    static String token;
    static int good;

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        good = origins.ports.get(Site.GOOD);
        Path blocklist = dir.resolve("blocklist.txt");
        Files.writeString(blocklist, "http://upstream.test:" + origins.plainPort + "/secret/\n");
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                limits: {request-head-timeout: 1s, max-connections-per-client: 5}
                policy:
                  rules:
                    - {name: no-expired-port, destinations: [127.0.0.1/32], ports: [%d], action: block}
                  auto-bypass: {failures: 3, window: 1m, duration: 1m}
                intel:
                  sources:
                    - {name: local-list, type: file, format: plain, path: %s, interval: 1s}
                """.formatted(origins.ports.get(Site.EXPIRED), blocklist));
        token = Files.readString(dir.resolve("loupe/data/admin.token")).strip();
        Thread.sleep(1_200); // first poll of the list
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(loupe, origins);
    }

    // 1 ----------------------------------------------------------------------------------------------------

    @Test
    void oneClientsRejectionsBypassTheHostForThatClientOnly() throws Exception {
        String url = "https://pinned.test:" + good + "/index.html";
        for (int i = 0; i < 3; i++) {
            // the origin's CA only: curl refuses Loupe's certificate with an unknown_ca alert
            Curl.run(dir, "--interface", "127.0.0.2", "-x", loupe.proxy(), "--cacert", origins.originCa.toString(), url);
        }
        var active = new com.fasterxml.jackson.databind.ObjectMapper().readTree(admin("/api/bypasses")).path("active");
        assertThat(active).anySatisfy(e -> {
            assertThat(e.path("host").asText()).isEqualTo("pinned.test");
            assertThat(e.path("client").asText()).isEqualTo("127.0.0.2");
        });
        Curl.Result other = Curl.run(dir, "-v", "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), url);
        assertThat(other.stderr()).as("another client is still decrypted").contains("Loupe Inspection CA");
        Curl.Result same = Curl.run(dir, "-v", "--interface", "127.0.0.2", "-x", loupe.proxy(), "--cacert",
                origins.originCa.toString(), url);
        assertThat(same.stderr()).contains("issuer: CN=Loupe IT Origin CA");
    }

    @Test
    void handshakesLoupeItselfRefusesNeverCountAsRejections() throws Exception {
        for (int i = 0; i < 5; i++) {
            // RSA key exchange without AEAD: Loupe refuses the hello; the client never saw a certificate
            Process p = new ProcessBuilder(Partners.require("openssl"), "s_client", "-connect", "pushed.test:" + good,
                    "-proxy", "127.0.0.1:" + loupe.port, "-servername", "pushed.test", "-tls1_2", "-cipher", "AES128-SHA")
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            p.getInputStream().readAllBytes();
            Partners.finish(p);
            // a complete CONNECT and a truncated hello, then gone
            try (Socket s = connectTunnel("127.0.0.3", "pushed.test:" + good)) {
                s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00});
            }
        }
        Thread.sleep(300);
        assertThat(admin("/api/bypasses")).doesNotContain("pushed.test");
        assertThat(loupe.readLog()).anySatisfy(n -> assertThat(n.path("close_reason").asText() + n)
                .contains("pushed.test")); // the handshakes did reach Loupe
    }

    // 3 ----------------------------------------------------------------------------------------------------

    @Test
    void plainHttpInsideAConnectTunnelIsInspectedAndLoggedWithItsUrl() throws Exception {
        String base = "http://upstream.test:" + origins.plainPort;
        Curl.Result ok = Curl.run(dir, "-p", "-x", loupe.proxy(), base + "/index.html");
        assertThat(ok.text()).contains(Origins.MARKER);
        loupe.awaitLog(n -> n.path("url").asText().equals(base + "/index.html"));
        Curl.Result bad = Curl.run(dir, "-p", "-x", loupe.proxy(), "-w", "\n%{http_code}", base + "/secret/x");
        assertThat(bad.text()).endsWith("\n403").contains("local-list").doesNotContain(Origins.MARKER);
    }

    // 4 ----------------------------------------------------------------------------------------------------

    @Test
    void destinationRulesApplyToAbsoluteUriRequestsAsToConnect() throws Exception {
        int port = origins.ports.get(Site.EXPIRED);
        for (String host : new String[] {"127.0.0.1", "upstream.test"}) {
            Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "-w", "\n%{http_code}", "http://" + host + ":" + port + "/");
            assertThat(r.text()).as(host).endsWith("\n403").contains("no-expired-port");
        }
        assertThat(RawProxyClient.connect(loupe.port, "127.0.0.1:" + port)).startsWith("HTTP/1.1 403");
    }

    // 5 ----------------------------------------------------------------------------------------------------

    @Test
    void loupesOwnListenersCannotBeReachedThroughTheProxy() throws Exception {
        int adminPort = loupe.gateway.adminAddress().getPort();
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "-H", "Authorization: Bearer " + token, "-w",
                "\n%{http_code}", "http://127.0.0.1:" + adminPort + "/api/status");
        assertThat(r.text()).endsWith("\n403").contains("own listeners").doesNotContain("indicators_pushed");
        assertThat(RawProxyClient.connect(loupe.port, "localhost:" + adminPort)).startsWith("HTTP/1.1 403");
        // its own pages are still served when asked with an absolute URI, as a browser using the proxy does
        Curl.Result pem = Curl.run(dir, "-x", loupe.proxy(), loupe.proxy() + "/loupe-ca.pem");
        assertThat(pem.text()).startsWith("-----BEGIN CERTIFICATE-----");
    }

    // 6 ----------------------------------------------------------------------------------------------------

    @Test
    void requestsInATunnelMustNameItsHost() throws Exception {
        String[] heads = {
            "GET /h1 HTTP/1.1\r\nHost: evil.test\r\n\r\n",
            "GET /h2 HTTP/1.1\r\nHost: upstream.test\r\nHost: evil.test\r\n\r\n",
            "GET /h3 HTTP/1.1\r\n\r\n",
            "GET https://evil.test/h4 HTTP/1.1\r\nHost: upstream.test\r\n\r\n",
            "GET /h5 HTTP/1.1\r\nHost: upstream.test:1\r\n\r\n",
            "POST /h6 HTTP/1.1\r\nHost: upstream.test\r\nTransfer_Encoding: chunked\r\nContent-Length: 0\r\n\r\n",
        };
        for (String head : heads) {
            try (SSLSocket tls = decryptedTunnel()) {
                tls.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                String answer = new String(tls.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(answer).as(head).startsWith("HTTP/1.1 400");
            }
        }
        Path nginxLog = origins.dir.resolve("nginx-access.log");
        String seen = Files.exists(nginxLog) ? Files.readString(nginxLog) : "";
        assertThat(seen).doesNotContain("/h1 ").doesNotContain("/h2 ").doesNotContain("/h3 ").doesNotContain("/h4 ")
                .doesNotContain("/h5 ").doesNotContain("/h6 ");
        try (SSLSocket tls = decryptedTunnel()) {
            tls.getOutputStream().write(("GET /index.html HTTP/1.1\r\nHost: UPSTREAM.test:" + good
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(tls.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
                    .startsWith("HTTP/1.1 200").contains(Origins.MARKER);
        }
    }

    // 7 ----------------------------------------------------------------------------------------------------

    @Test
    void slowHeadsAreCutOffAndOneAddressCannotTakeEveryConnection() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                Socket s = new Socket();
                s.bind(new InetSocketAddress("127.0.0.4", 0));
                s.connect(new InetSocketAddress("127.0.0.1", loupe.port));
                s.getOutputStream().write("CONNECT upst".getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            // two event loops admit connections in parallel: let the five be admitted before the sixth arrives,
            // or the sixth could take the fifth's place
            long deadline = System.currentTimeMillis() + 5_000;
            while (loupe.gateway.services().defences().open() < 5 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            Socket sixth = new Socket();
            sixth.bind(new InetSocketAddress("127.0.0.4", 0));
            sixth.connect(new InetSocketAddress("127.0.0.1", loupe.port));
            sixth.setSoTimeout(3_000);
            assertThat(closedByLoupe(sixth)).as("over the per-client limit: closed").isTrue();
            sixth.close();
            // another client is served meanwhile
            assertThat(Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                    origins.url(Site.GOOD, "/index.html")).text()).contains(Origins.MARKER);
            for (Socket s : slow) {
                s.setSoTimeout(5_000);
                assertThat(closedByLoupe(s)).as("slow head closed by the deadline").isTrue();
            }
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
        String metrics = loupe.metrics();
        assertThat(metrics).containsPattern("loupe_refusals_total\\{reason=\"request-head-timeout\"} [5-9]")
                .containsPattern("loupe_refusals_total\\{reason=\"max-connections-per-client\"} [1-9]");
    }

    // 8 ----------------------------------------------------------------------------------------------------

    @Test
    void connectWithBareLineFeedsIsAccepted() throws Exception {
        try (Socket s = new Socket("127.0.0.1", loupe.port)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(("CONNECT upstream.test:" + good + " HTTP/1.0\n\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] head = new byte[39];
            s.getInputStream().readNBytes(head, 0, head.length);
            assertThat(new String(head, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n");
            // and the tunnel works, as testssl.sh uses it (an HTTP/1.0 CONNECT keeps its connection)
            var tls = (SSLSocket) TestCertificates.trusting(loupe.caPem).getSocketFactory()
                    .createSocket(s, Origins.HOST, good, true);
            tls.getOutputStream().write(("GET /index.html HTTP/1.1\r\nHost: upstream.test:" + good
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(tls.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
                    .startsWith("HTTP/1.1 200").contains(Origins.MARKER);
        }
        // a forwarded head stays strict
        Curl.Result ok = Curl.run(dir, "-x", loupe.proxy(), "http://upstream.test:" + origins.plainPort + "/index.html");
        assertThat(ok.text()).contains(Origins.MARKER);
        try (Socket s = new Socket("127.0.0.1", loupe.port)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(("GET http://upstream.test:" + origins.plainPort + "/index.html HTTP/1.1\n"
                    + "Host: upstream.test\n\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
                    .startsWith("HTTP/1.1 400").doesNotContain(Origins.MARKER);
        }
    }

    // 9 ----------------------------------------------------------------------------------------------------

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"0,TLSv1.2", "0,TLSv1.3", "1000,TLSv1.2", "1000,TLSv1.3"})
    void aServerFirstGreetingReachesTheClientAtOnce(long delayMs, String tls) throws Exception {
        String greeting = "* OK IMAP4rev1 ready after " + delayMs + "\r\n";
        try (LineOrigin imap = new LineOrigin(origins.ca, greeting, delayMs, tls)) {
            Process client = new ProcessBuilder(Partners.require("openssl"), "s_client", "-quiet", "-connect",
                    Origins.HOST + ":" + imap.port(), "-proxy", "127.0.0.1:" + loupe.port, "-servername", Origins.HOST,
                    "-CAfile", loupe.caPem.toString(), "-verify_return_error", tls.equals("TLSv1.2") ? "-tls1_2" : "-tls1_3")
                    .redirectErrorStream(true).start();
            try {
                StringBuffer out = new StringBuffer();
                Thread.ofVirtual().start(() -> {
                    try (InputStream in = client.getInputStream()) {
                        for (int b; (b = in.read()) >= 0; ) {
                            out.append((char) b);
                        }
                    } catch (java.io.IOException gone) {
                        // the process ended
                    }
                });
                long start = System.nanoTime();
                awaitText(out, "IMAP4rev1 ready after " + delayMs, 2_500 + delayMs);
                long ms = (System.nanoTime() - start) / 1_000_000;
                // the sniff timeout is 3 s: a greeting held back until it would come after that
                assertThat(ms).as("greeting delivered before the sniff timeout").isLessThan(2_500 + delayMs);
                client.getOutputStream().write("a1 NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                awaitText(out, "a1 NOOP", 5_000);
                assertThat(imap.received()).isEqualTo("a1 NOOP\r\n");
            } finally {
                client.destroy();
                client.waitFor();
            }
        }
    }

    private static void awaitText(StringBuffer out, String text, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!out.toString().contains(text)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no '" + text + "' within " + timeoutMs + " ms; got: " + out);
            }
            Thread.sleep(20);
        }
    }

    // helpers -------------------------------------------------------------------------------------------------

    /** End of stream, or a reset (Loupe closed with the client's unread bytes in its buffer): closed either way. */
    private static boolean closedByLoupe(Socket s) throws Exception {
        try {
            return s.getInputStream().read() == -1;
        } catch (java.net.SocketException e) {
            return String.valueOf(e.getMessage()).contains("reset");
        }
    }

    private static Socket connectTunnel(String from, String authority) throws Exception {
        Socket raw = new Socket();
        raw.bind(new InetSocketAddress(from, 0));
        raw.connect(new InetSocketAddress("127.0.0.1", loupe.port));
        raw.setSoTimeout(10_000);
        raw.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = raw.getInputStream();
        byte[] head = new byte[39]; // "HTTP/1.1 200 Connection Established\r\n\r\n"
        in.readNBytes(head, 0, head.length);
        assertThat(new String(head, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
        return raw;
    }

    private static SSLSocket decryptedTunnel() throws Exception {
        Socket raw = connectTunnel("127.0.0.1", Origins.HOST + ":" + good);
        var ctx = TestCertificates.trusting(loupe.caPem);
        SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(raw, Origins.HOST, good, true);
        tls.startHandshake();
        return tls;
    }

    private static String admin(String path) throws Exception {
        return Curl.run(dir, "-H", "Authorization: Bearer " + token,
                "http://127.0.0.1:" + loupe.gateway.adminAddress().getPort() + path).text();
    }
}
