package dev.loupe.it;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Speaks the CONNECT request by hand, to see the whole answer (curl hides a failed CONNECT's body). */
final class RawProxyClient {
    private RawProxyClient() {
    }

    /** Sends CONNECT and returns everything the proxy answered until it closed. */
    static String connect(int proxyPort, String authority) throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxyPort)) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
