package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;

/** A decrypted keep-alive HTTPS connection through Loupe to the good origin, kept open for more requests. */
final class DecryptedSessions {
    private DecryptedSessions() {
    }

    /** CONNECT, the TLS handshake with Loupe's forged certificate ({@code loupeCa}), one request that succeeds. */
    static Socket open(int proxyPort, Origins origins, Path loupeCa) throws Exception {
        Socket raw = new Socket("127.0.0.1", proxyPort);
        String authority = Origins.HOST + ":" + origins.ports.get(Site.GOOD);
        raw.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = raw.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.read());
        }
        var factory = TestCertificates.trusting(loupeCa).getSocketFactory();
        SSLSocket tls = (SSLSocket) factory.createSocket(raw, Origins.HOST, origins.ports.get(Site.GOOD), true);
        tls.startHandshake();
        assertThat(request(tls, "/index.html")).contains(Origins.MARKER);
        return tls;
    }

    /** One GET on the open connection: the response head and its body. */
    static String request(Socket s, String path) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + Origins.HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        Matcher m = Pattern.compile("(?i)content-length: *([0-9]+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }
}
