package dev.loupe.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A plain-HTTP origin that answers every request with what it received: method, body length, body
 * SHA-256 and two framing headers, so a test can prove an upload arrived byte-exact.
 */
final class EchoOrigin {
    private EchoOrigin() {
    }

    static HttpServer start() throws IOException {
        HttpServer echo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        echo.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[65536];
                long n = 0;
                for (int r; (r = in.read(buf)) > 0; n += r) {
                    md.update(buf, 0, r);
                }
                byte[] answer = (exchange.getRequestMethod() + " " + n + " " + HexFormat.of().formatHex(md.digest())
                        + " te=" + exchange.getRequestHeaders().getFirst("Transfer-Encoding")
                        + " conn=" + exchange.getRequestHeaders().getFirst("Proxy-Connection")).getBytes();
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            exchange.close();
        });
        echo.start();
        return echo;
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
