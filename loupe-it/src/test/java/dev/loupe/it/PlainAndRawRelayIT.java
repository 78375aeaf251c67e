package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain-HTTP proxying, and protocols that are not TLS after CONNECT, relayed byte for byte. */
class PlainAndRawRelayIT {
    @TempDir
    static Path dir;
    static Origins origins;
    static GatewayUnderTest loupe;
    static HttpServer echo;

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins,
                "limits: {sniff-timeout: 300ms}\n");
        echo = EchoOrigin.start(); // answers with the SHA-256 of whatever body it received
    }

    @AfterAll
    static void stop() throws Exception {
        if (echo != null) {
            echo.stop(0);
        }
        Partners.closeAll(loupe, origins);
    }

    @Test
    void plainHttpGetIsProxiedAndLogged() throws Exception {
        Path out = dir.resolve("plain.out");
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "-o", out.toString(),
                "http://127.0.0.1:" + origins.plainPort + "/300k.bin");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(Origins.sha256(out)).isEqualTo(Origins.sha256(origins.www.resolve("300k.bin")));
        var records = loupe.awaitLog(n -> n.path("url").asText().endsWith("/300k.bin")
                && n.path("url").asText().startsWith("http://"));
        assertThat(records).anyMatch(n -> n.path("type").asText().equals("exchange")
                && n.path("status").asInt() == 200 && n.path("response_bytes").asLong() == 300 * 1024);
    }

    @Test
    void uploadsStreamWithLengthAndChunkedAndHopByHopHeadersAreDropped() throws Exception {
        Path upload = dir.resolve("upload.bin");
        Files.write(upload, Origins.random(2 * 1024 * 1024, 9));
        String expected = Origins.sha256(upload);
        String url = "http://127.0.0.1:" + echo.getAddress().getPort() + "/upload";
        Curl.Result sized = Curl.run(dir, "-x", loupe.proxy(), "--data-binary", "@" + upload,
                "-H", "Proxy-Connection: keep-alive", url);
        assertThat(sized.text()).isEqualTo("POST 2097152 " + expected + " te=null conn=null");
        Curl.Result chunked = Curl.run(dir, "-x", loupe.proxy(), "-H", "Transfer-Encoding: chunked",
                "--data-binary", "@" + upload, url);
        assertThat(chunked.text()).isEqualTo("POST 2097152 " + expected + " te=chunked conn=null");
        Curl.Result put = Curl.run(dir, "-x", loupe.proxy(), "-X", "PUT", "-H", "Expect: 100-continue",
                "--data-binary", "@" + upload, url);
        assertThat(put.text()).isEqualTo("PUT 2097152 " + expected + " te=null conn=null");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String base = "http://127.0.0.1:" + origins.plainPort;
        try (Socket s = new Socket("127.0.0.1", loupe.port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + base + "/1k.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    + "GET " + base + "/index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String both = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int first = both.indexOf("HTTP/1.1 200");
            int second = both.indexOf("HTTP/1.1 200", first + 1);
            assertThat(first).isZero();
            assertThat(second).isGreaterThan(first);
            assertThat(both.substring(first, second)).contains("Content-Length: 1024");
            assertThat(both.substring(second)).contains(Origins.MARKER);
        }
    }

    @Test
    void nonTlsProtocolAfterConnectIsRelayedByteExact() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream()); // echo until the client closes
                } catch (Exception ignored) {
                    // the test asserts on what the client received
                }
            });
            byte[] payload = Origins.random(100_000, 3);
            payload[0] = 'X'; // make sure it cannot look like a TLS record
            try (Socket client = connectThroughLoupe(server.getLocalPort())) {
                client.getOutputStream().write(payload);
                client.shutdownOutput();
                byte[] echoed = client.getInputStream().readAllBytes();
                assertThat(echoed.length).isEqualTo(payload.length);
                assertThat(java.util.Arrays.equals(echoed, payload)).as("echoed bytes equal the sent bytes").isTrue();
            }
            t.join(5_000);
        }
        loupe.awaitLog(n -> n.path("verdict").asText().equals("relay"));
    }

    @Test
    void serverSpeaksFirstProtocolIsRelayedAfterTheSniffTimeout() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write("220 smtp.test ESMTP ready\r\n".getBytes());
                    byte[] line = new byte[6];
                    s.getInputStream().readNBytes(line, 0, 6);
                    s.getOutputStream().write(("250 got " + new String(line) + "\r\n").getBytes());
                } catch (Exception ignored) {
                    // the test asserts on what the client received
                }
            });
            try (Socket client = connectThroughLoupe(server.getLocalPort())) {
                InputStream in = client.getInputStream();
                assertThat(readLine(in)).isEqualTo("220 smtp.test ESMTP ready");
                client.getOutputStream().write("EHLO x".getBytes());
                assertThat(readLine(in)).isEqualTo("250 got EHLO x");
            }
        }
    }

    @Test
    void caCertificateIsServedForClientsToDownload() throws Exception {
        Curl.Result pem = Curl.run(dir, loupe.proxy() + "/loupe-ca.pem");
        assertThat(pem.text()).isEqualTo(Files.readString(loupe.caPem));
        Curl.Result index = Curl.run(dir, loupe.proxy() + "/");
        assertThat(index.text()).contains("loupe-ca.crt")
                .as("the fingerprint to check").contains(loupe.gateway.services().ca().sha256Fingerprint())
                .as("steps for each system").contains("id=\"windows\"", "id=\"macos\"", "id=\"linux\"",
                        "id=\"android\"", "id=\"ios\"", "id=\"firefox\"")
                .contains("update-ca-certificates").contains("Certificate Trust Settings");
    }

    private Socket connectThroughLoupe(int port) throws Exception {
        Socket s = new Socket("127.0.0.1", loupe.port);
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(("CONNECT 127.0.0.1:" + port + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        assertThat(readLine(in)).isEqualTo("HTTP/1.1 200 Connection Established");
        while (!readLine(in).isEmpty()) {
            // skip the rest of the response head
        }
        return s;
    }

    private static String readLine(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
