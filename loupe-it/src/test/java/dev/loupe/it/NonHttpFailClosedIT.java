package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Items 2 and 3 of issue 11 with the real partner (c-icap + ClamAV): a fail-closed ICAP service lets nothing in
 * its scope pass unscanned. A decrypted stream that is not HTTP (a line protocol carrying EICAR) is refused
 * whether the service is up or down, unless the operator chose {@code non-http: relay}; plain HTTP inside a
 * CONNECT tunnel is scanned like any other HTTP.
 */
class NonHttpFailClosedIT {
    @TempDir
    static Path dir;
    static IcapServers icap;
    static Origins origins;
    static LineOrigin lines;
    static GatewayUnderTest upBlock;
    static GatewayUnderTest downBlock;
    static GatewayUnderTest upRelay;

    @BeforeAll
    static void start() throws Exception {
        icap = IcapServers.start(dir.resolve("icap"), 1);
        origins = Origins.start(dir.resolve("origins"));
        Files.writeString(origins.www.resolve("eicar.com"), IcapServers.EICAR);
        lines = new LineOrigin(origins.ca, null, 0);
        String dead = "icap://127.0.0.1:" + Partners.freePort() + "/avscan";
        upBlock = GatewayUnderTest.start(Files.createDirectories(dir.resolve("up-block")), origins,
                service(icap.uri(0), ""));
        downBlock = GatewayUnderTest.start(Files.createDirectories(dir.resolve("down-block")), origins,
                service(dead, ""));
        upRelay = GatewayUnderTest.start(Files.createDirectories(dir.resolve("up-relay")), origins,
                service(icap.uri(0), "non-http: relay"));
    }

    private static String service(String uri, String extra) {
        return """
                icap:
                  services:
                    - name: av
                      mode: respmod
                      servers: [%s]
                      failure-mode: fail-closed
                      connect-timeout: 1s
                      %s
                """.formatted(uri, extra);
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(upBlock, downBlock, upRelay, lines, origins, icap);
    }

    @Test
    void aDecryptedLineProtocolIsRefusedByAFailClosedServiceThatIsUp() throws Exception {
        assertRefused(upBlock);
    }

    @Test
    void aDecryptedLineProtocolIsRefusedByAFailClosedServiceThatIsDown() throws Exception {
        assertRefused(downBlock);
    }

    @Test
    void nonHttpRelayLetsTheStreamPassAsTheOperatorChose() throws Exception {
        String sent = "HELLO relay\r\n" + IcapServers.EICAR + "\r\n";
        String echoed = talk(upRelay, sent);
        assertThat(echoed).isEqualTo(sent);
        assertThat(lines.received()).contains("HELLO relay").contains(IcapServers.EICAR);
    }

    @Test
    void plainHttpInsideAConnectTunnelIsScanned() throws Exception {
        String url = "http://upstream.test:" + origins.plainPort;
        Curl.Result bad = Curl.run(dir, "-p", "-x", upBlock.proxy(), "-w", "\n%{http_code}", url + "/eicar.com");
        assertThat(bad.text()).endsWith("\n403").contains(IcapServers.THREAT).doesNotContain("EICAR-STANDARD");
        Curl.Result ok = Curl.run(dir, "-p", "-x", upBlock.proxy(), url + "/index.html");
        assertThat(ok.text()).contains(Origins.MARKER);
        upBlock.awaitLog(n -> n.path("url").asText().equals(url + "/eicar.com")
                && n.path("icap").toString().contains("blocked"));
    }

    private static void assertRefused(GatewayUnderTest loupe) throws Exception {
        String marker = "HELLO " + loupe.port;
        String echoed = talk(loupe, marker + "\r\n" + IcapServers.EICAR + "\r\n");
        assertThat(echoed).as("nothing comes back").isEmpty();
        Thread.sleep(200);
        assertThat(lines.received()).as("the origin receives nothing").doesNotContain(marker);
        loupe.awaitLog(n -> n.path("close_reason").asText().contains("non-http: block")
                && n.path("close_reason").asText().contains("av"));
    }

    /** Writes {@code text} in a decrypted tunnel to the line origin; returns what came back until Loupe closed. */
    private static String talk(GatewayUnderTest loupe, String text) throws Exception {
        Socket raw = new Socket("127.0.0.1", loupe.port);
        raw.setSoTimeout(10_000);
        raw.getOutputStream().write(("CONNECT " + Origins.HOST + ":" + lines.port() + " HTTP/1.1\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        byte[] head = new byte[39];
        raw.getInputStream().readNBytes(head, 0, head.length);
        assertThat(new String(head, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
        try (SSLSocket tls = (SSLSocket) TestCertificates.trusting(loupe.caPem).getSocketFactory()
                .createSocket(raw, Origins.HOST, lines.port(), true)) {
            tls.startHandshake();
            tls.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            tls.getOutputStream().flush();
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            InputStream in = tls.getInputStream();
            tls.setSoTimeout(3_000);
            byte[] buf = new byte[4096];
            try {
                while (back.size() < text.length()) {
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    back.write(buf, 0, n);
                }
            } catch (java.net.SocketException reset) {
                // closed by Loupe with our bytes unread
            }
            return back.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
