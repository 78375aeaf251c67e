package dev.loupe.gateway.tls;

import dev.loupe.core.pki.ForgedCertificate;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the TLS contexts for both sides with one policy: TLS 1.3 and 1.2 only, ECDHE key exchange
 * with AEAD ciphers only (TLS 1.3 suites are all AEAD). BoringSSL through netty-tcnative when it
 * loads; the JDK provider otherwise, with one warning.
 */
public final class TlsContexts implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);

    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** TLS 1.2 suites: ECDHE with AEAD only. */
    public static final List<String> TLS12_CIPHERS = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    private static final List<String> TLS13_CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    private static final ApplicationProtocolConfig HTTP11_ONLY = new ApplicationProtocolConfig(
            Protocol.ALPN, SelectorFailureBehavior.NO_ADVERTISE,
            SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_1_1);

    /** The origin offered h2 too: it picks (servers prefer h2). */
    private static final ApplicationProtocolConfig H2_AND_HTTP11 = new ApplicationProtocolConfig(
            Protocol.ALPN, SelectorFailureBehavior.NO_ADVERTISE,
            SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);
    private static final ApplicationProtocolConfig H2_ONLY = new ApplicationProtocolConfig(
            Protocol.ALPN, SelectorFailureBehavior.NO_ADVERTISE,
            SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2);

    /**
     * Upstream groups when the client sent a hybrid post-quantum key share: BoringSSL's default order, which
     * sends an X25519MLKEM768 share and an X25519 one (for servers without ML-KEM), as Chromium does.
     */
    private static final String[] GROUPS_POST_QUANTUM = {"X25519MLKEM768", "X25519", "P-256", "P-384"};
    /** Upstream groups otherwise: one X25519 share, no ML-KEM key pair generated for a client that sent none. */
    private static final String[] GROUPS_CLASSICAL = {"X25519", "P-256", "P-384"};

    private final SslProvider provider;
    /** [ALPN offer: http/1.1, h2 + http/1.1, h2][key shares: classical, post-quantum]. */
    private final SslContext[][] upstreams = new SslContext[3][2];
    private final ClientCertificateRequests clientCertificateRequests = new ClientCertificateRequests();

    private TlsContexts(SslProvider provider) throws SSLException {
        this.provider = provider;
        ApplicationProtocolConfig[] offers = {HTTP11_ONLY, H2_AND_HTTP11, H2_ONLY};
        for (int alpn = 0; alpn < offers.length; alpn++) {
            upstreams[alpn][0] = upstreamContext(offers[alpn], GROUPS_CLASSICAL);
            upstreams[alpn][1] = upstreamContext(offers[alpn], GROUPS_POST_QUANTUM);
        }
    }

    private SslContext upstreamContext(ApplicationProtocolConfig alpn, String[] groups) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (provider != SslProvider.JDK) {
            builder.option(OpenSslContextOption.GROUPS, groups);
        }
        return builder
                .sslProvider(provider)
                .protocols(PROTOCOLS)
                .ciphers(ciphers())
                .trustManager(DeferredVerificationTrustManager.INSTANCE)
                .keyManager(clientCertificateRequests)
                .applicationProtocolConfig(alpn)
                // The upstream session cache keyed by host:port gives resumption on reconnects.
                .sessionCacheSize(20_000)
                .build();
    }

    public static TlsContexts create() throws SSLException {
        if (OpenSsl.isAvailable()) {
            // The reference-counted flavour: engines are freed when their SslHandler goes, not by
            // finalizers (which made every new connection cost the garbage collector twice).
            return new TlsContexts(SslProvider.OPENSSL_REFCNT);
        }
        log.warn("BoringSSL (netty-tcnative) unavailable, falling back to the JDK TLS provider: {}",
                String.valueOf(OpenSsl.unavailabilityCause()));
        return new TlsContexts(SslProvider.JDK);
    }

    public static TlsContexts withJdkProvider() throws SSLException {
        return new TlsContexts(SslProvider.JDK);
    }

    public String providerName() {
        return provider == SslProvider.JDK ? "jdk" : "boringssl";
    }

    /**
     * Shared by upstream connections made for no client hello (post-quantum key share offered); validation is
     * deferred to the validator, see its trust manager.
     */
    public SslContext upstream() {
        return upstreams[0][1];
    }

    /**
     * The context whose ALPN offer is what the client offered of h2 and http/1.1 (a gRPC client's
     * {@code grpc-exp} is not among them: the origin is offered only what Loupe can inspect). A client that
     * offered neither gets http/1.1 offered for it, as before h2 existed. The key share follows the client's: a
     * hybrid post-quantum one only when the client sent one ({@code ClientHello.sentPostQuantumKeyShare}).
     */
    public SslContext upstreamFor(java.util.List<String> clientOffers, boolean http2, boolean postQuantum) {
        boolean h2 = http2 && clientOffers.contains(ApplicationProtocolNames.HTTP_2);
        boolean h1 = clientOffers.contains(ApplicationProtocolNames.HTTP_1_1) || !h2;
        return upstreams[h2 && h1 ? 1 : h2 ? 2 : 0][postQuantum ? 1 : 0];
    }

    /** Which upstream handshakes were asked for a client certificate (mTLS origins). */
    public ClientCertificateRequests clientCertificateRequests() {
        return clientCertificateRequests;
    }

    /**
     * A server context presenting one forged certificate to clients. With BoringSSL it is reference
     * counted: the caller owns one reference and releases it when it drops the context (engines hold
     * their own, so a context in use by a handshake stays alive).
     */
    public SslContext forClients(ForgedCertificate forged) throws SSLException {
        return forClients(forged, ApplicationProtocolNames.HTTP_1_1);
    }

    /**
     * As {@link #forClients(ForgedCertificate)}, offering the client exactly {@code alpn}: the protocol the origin
     * selected (h2 or http/1.1), so that both sides speak the same one.
     */
    public SslContext forClients(ForgedCertificate forged, String alpn) throws SSLException {
        return SslContextBuilder.forServer(forged.privateKey(), forged.chain().toArray(X509Certificate[]::new))
                .sslProvider(provider)
                .protocols(PROTOCOLS)
                .ciphers(ciphers())
                .applicationProtocolConfig(ApplicationProtocolNames.HTTP_2.equals(alpn) ? H2_ONLY : HTTP11_ONLY)
                .build();
    }

    /** Releases the shared upstream context (BoringSSL memory); call once the gateway has stopped. */
    @Override
    public void close() {
        for (SslContext[] byShares : upstreams) {
            for (SslContext context : byShares) {
                io.netty.util.ReferenceCountUtil.release(context);
            }
        }
    }

    /** TLS 1.3 suites must be listed too: Netty turns TLS 1.3 off when the list has none of them. */
    private static List<String> ciphers() {
        return java.util.stream.Stream.concat(TLS13_CIPHERS.stream(), TLS12_CIPHERS.stream()).toList();
    }
}
