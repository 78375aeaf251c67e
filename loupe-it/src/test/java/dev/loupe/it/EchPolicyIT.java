package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code policy.encrypted-client-hello}: a ClientHello offering ECH (a real JDK hello with an
 * {@code encrypted_client_hello} extension added, as no Debian client sends ECH yet) is bypassed to the origin
 * or blocked with a TLS alert, as configured, and logged under the rule {@code encrypted-client-hello}.
 */
class EchPolicyIT {
    @TempDir
    Path dir;

    @Test
    void bypassRelaysTheHelloToTheOriginAndBlockAnswersWithAnAlert() throws Exception {
        try (Origins origins = Origins.start(dir.resolve("origins"));
             GatewayUnderTest bypass = GatewayUnderTest.start(Files.createDirectories(dir.resolve("bypass")), origins,
                     "policy: {encrypted-client-hello: bypass}\n");
             GatewayUnderTest block = GatewayUnderTest.start(Files.createDirectories(dir.resolve("block")), origins,
                     "policy: {encrypted-client-hello: block}\n")) {
            String target = Origins.HOST + ":" + origins.ports.get(Site.GOOD);
            byte[] hello = helloWithEch(Origins.HOST);

            byte[] fromOrigin = exchange(bypass.port, target, hello);
            assertThat(fromOrigin.length).as("the origin's ServerHello came back").isGreaterThan(5);
            assertThat(fromOrigin[0]).as("a handshake record").isEqualTo((byte) 0x16);
            bypass.awaitLog(n -> n.path("verdict").asText().equals("bypass")
                    && n.path("reason").asText().startsWith("encrypted-client-hello"));

            byte[] alert = exchange(block.port, target, hello);
            assertThat(alert.length).isGreaterThanOrEqualTo(7);
            assertThat(alert[0]).as("an alert record").isEqualTo((byte) 0x15);
            assertThat(alert[6]).as("access_denied").isEqualTo((byte) 49);
            block.awaitLog(n -> n.path("verdict").asText().equals("block")
                    && n.path("reason").asText().startsWith("encrypted-client-hello"));

            // the same hello without ECH is decrypted as usual (control)
            byte[] plain = helloWithEch(null);
            byte[] forged = exchange(block.port, target, plain);
            assertThat(forged[0]).isEqualTo((byte) 0x16);
        }
    }

    /** CONNECT, the hello, and what came back within two seconds. */
    private static byte[] exchange(int proxyPort, String target, byte[] hello) throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxyPort)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(("CONNECT " + target + " HTTP/1.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] head = new byte[39];
            s.getInputStream().readNBytes(head, 0, head.length);
            assertThat(new String(head, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
            s.getOutputStream().write(hello);
            s.setSoTimeout(2_000);
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; back.size() < 7 && (n = in.read(buf)) > 0; ) {
                    back.write(buf, 0, n);
                }
            } catch (java.io.IOException quietOrReset) {
                // what arrived is what counts
            }
            return back.toByteArray();
        }
    }

    /** The JDK's own ClientHello for {@code upstream.test}, with an ECH extension appended when {@code echFor} is set. */
    private static byte[] helloWithEch(String echFor) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine(Origins.HOST, 443);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] record = new byte[out.remaining()];
        out.get(record);
        if (echFor == null) {
            return record;
        }
        // outer ECH: type 0, HPKE KDF 1 / AEAD 1, config id 7, a 32-byte enc and a 64-byte payload
        ByteArrayOutputStream ech = new ByteArrayOutputStream();
        ech.write(new byte[] {0, 0, 1, 0, 1, 7, 0, 32});
        ech.write(new byte[32]);
        ech.write(new byte[] {0, 64});
        ech.write(new byte[64]);
        byte[] ext = ech.toByteArray();
        ByteBuffer b = ByteBuffer.wrap(record);
        int p = 5 + 4 + 2 + 32;
        p += 1 + (record[p] & 0xff);                    // session id
        p += 2 + (b.getShort(p) & 0xffff);              // cipher suites
        p += 1 + (record[p] & 0xff);                    // compression
        int extLenAt = p;
        ByteArrayOutputStream grown = new ByteArrayOutputStream();
        grown.write(record);
        grown.write(new byte[] {(byte) 0xfe, 0x0d, (byte) (ext.length >> 8), (byte) ext.length});
        grown.write(ext);
        byte[] r = grown.toByteArray();
        int added = 4 + ext.length;
        ByteBuffer w = ByteBuffer.wrap(r);
        w.putShort(3, (short) (w.getShort(3) + added));                          // record length
        int hsLen = ((r[6] & 0xff) << 16 | (r[7] & 0xff) << 8 | (r[8] & 0xff)) + added;
        r[6] = (byte) (hsLen >> 16);
        r[7] = (byte) (hsLen >> 8);
        r[8] = (byte) hsLen;
        w.putShort(extLenAt, (short) (w.getShort(extLenAt) + added));           // extensions length
        return r;
    }
}
