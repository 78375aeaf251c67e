package dev.loupe.gateway.tls;

import java.net.Socket;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Lets the upstream handshake finish so that Loupe can name the problem with a bad certificate to
 * the client instead of failing with an opaque alert. It is NOT a trust-all: the gateway runs
 * {@code UpstreamCertificateValidator} on the peer chain as soon as the handshake completes, and no
 * application byte is sent upstream (and no origin byte reaches the client) unless the verdict is
 * trusted. Only the upstream connector may use this class.
 */
final class DeferredVerificationTrustManager extends X509ExtendedTrustManager {
    static final DeferredVerificationTrustManager INSTANCE = new DeferredVerificationTrustManager();

    private DeferredVerificationTrustManager() {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // verified after the handshake, see class comment
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // verified after the handshake, see class comment
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        // verified after the handshake, see class comment
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        throw new UnsupportedOperationException("client certificates are not accepted here");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        throw new UnsupportedOperationException("client certificates are not accepted here");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        throw new UnsupportedOperationException("client certificates are not accepted here");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
