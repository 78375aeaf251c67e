package dev.loupe.gateway.tls;

import dev.loupe.core.log.TlsSummary;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLSession;

/** The logged summary of a finished handshake. */
public final class TlsSummaries {
    private TlsSummaries() {
    }

    public static TlsSummary of(SslHandler handler) {
        SSLSession session = handler.engine().getSession();
        return new TlsSummary(session.getProtocol(), session.getCipherSuite(), handler.applicationProtocol());
    }
}
