package dev.loupe.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** TLS alert records Loupe sends itself, when a connection is refused before any handshake. */
final class TlsAlerts {
    private static final byte[] ACCESS_DENIED = {
        0x15,       // content type: alert
        0x03, 0x03, // legacy record version TLS 1.2 (what every client accepts before negotiation)
        0x00, 0x02, // length
        0x02,       // level: fatal
        0x31        // description: access_denied (49)
    };

    private TlsAlerts() {
    }

    static ByteBuf accessDenied() {
        return Unpooled.wrappedBuffer(ACCESS_DENIED);
    }
}
