package dev.loupe.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Removes the headers that describe one hop (RFC 9110 §7.6.1) before a message is forwarded,
 * including every header the Connection field names. Framing is re-established by the caller.
 */
public final class HopByHopHeaders {
    // Netty deprecates its constants for these two (they are not standard), yet clients still send them.
    private static final CharSequence KEEP_ALIVE = io.netty.util.AsciiString.cached("keep-alive");
    private static final CharSequence PROXY_CONNECTION = io.netty.util.AsciiString.cached("proxy-connection");
    private static final List<CharSequence> FIXED = List.of(
            HttpHeaderNames.CONNECTION, KEEP_ALIVE, PROXY_CONNECTION,
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE);

    private HopByHopHeaders() {
    }

    public static void strip(HttpHeaders headers) {
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : connection.split(",")) {
                String name = token.strip();
                // Framing and routing headers are end-to-end whatever Connection says: dropping
                // Content-Length on request would let a body be read as a second, unchecked request.
                if (!name.isEmpty() && !name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("host")) {
                    headers.remove(name);
                }
            }
        }
        for (CharSequence name : FIXED) {
            headers.remove(name);
        }
    }

    /** True when the message asks to switch protocols (Connection: upgrade plus an Upgrade header). */
    public static boolean isUpgrade(HttpHeaders headers) {
        return headers.contains(HttpHeaderNames.UPGRADE)
                && headers.containsValue(HttpHeaderNames.CONNECTION, "upgrade", true);
    }
}
