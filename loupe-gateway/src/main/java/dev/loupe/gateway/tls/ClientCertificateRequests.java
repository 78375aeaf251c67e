package dev.loupe.gateway.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The upstream side's key manager. Loupe has no client certificate to offer; it only notes which
 * handshakes the origin asked for one (a CertificateRequest), because such an origin (mTLS) cannot
 * be intercepted and is bypassed automatically. Engines are held weakly: nothing leaks if a handshake
 * ends without being asked about.
 */
public final class ClientCertificateRequests extends X509ExtendedKeyManager {
    private final Map<SSLEngine, Boolean> requested = Collections.synchronizedMap(new WeakHashMap<>());

    /** True, once, if the origin of this handshake asked for a client certificate. */
    public boolean takeRequested(SSLEngine engine) {
        return requested.remove(engine) != null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        requested.put(engine, Boolean.TRUE);
        return null; // no certificate: the origin decides whether to continue without one
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[0];
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return new String[0];
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return null;
    }
}
