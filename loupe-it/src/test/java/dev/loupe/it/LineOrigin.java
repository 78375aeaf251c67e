package dev.loupe.it;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Instant;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A TLS origin speaking a line protocol, like IMAPS or SMTPS: it may greet first (after a delay), then echoes
 * every byte it receives, and remembers everything it received. Certificate from the origins' CA for
 * {@code upstream.test}.
 */
final class LineOrigin implements AutoCloseable {
    private final SSLServerSocket server;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final Thread acceptor;

    /**
     * @param greeting   sent first on every connection, or null for a client-first protocol
     * @param delayMs    before the greeting
     * @param protocols  TLS versions offered, e.g. {@code TLSv1.2}
     */
    LineOrigin(TestCertificates.Issued ca, String greeting, long delayMs, String... protocols) throws Exception {
        Instant now = Instant.now();
        TestCertificates.Issued leaf = TestCertificates.leaf(ca, Origins.HOST, now.minusSeconds(3600),
                now.plusSeconds(86_400), Origins.HOST);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("leaf", leaf.key(), new char[0], new Certificate[] {leaf.certificate(), ca.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getByName("127.0.0.1"));
        if (protocols.length > 0) {
            server.setEnabledProtocols(protocols);
        }
        acceptor = Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> serve(s, greeting, delayMs));
                } catch (Exception closed) {
                    return;
                }
            }
        });
    }

    private void serve(Socket s, String greeting, long delayMs) {
        try (s) {
            OutputStream out = s.getOutputStream();
            if (greeting != null) {
                Thread.sleep(delayMs);
                out.write(greeting.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) > 0; ) {
                synchronized (received) {
                    received.write(buf, 0, n);
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (Exception gone) {
            // the peer went away: nothing to serve
        }
    }

    int port() {
        return server.getLocalPort();
    }

    String received() {
        synchronized (received) {
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        acceptor.join(2_000);
    }
}
