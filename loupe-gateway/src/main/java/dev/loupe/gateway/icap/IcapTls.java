package dev.loupe.gateway.icap;

import dev.loupe.core.config.IcapTlsConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;

/** The client TLS context for icaps:// servers: their certificate chains to the configured roots and names the host. */
final class IcapTls {
    private IcapTls() {
    }

    static SslContext context(IcapTlsConfig config) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient()
                    .protocols("TLSv1.3", "TLSv1.2")
                    .endpointIdentificationAlgorithm("HTTPS");
            if (config.caBundle() != null) {
                b.trustManager(config.caBundle().toFile());
            }
            if (config.certificate() != null) {
                b.keyManager(config.certificate().toFile(), config.key().toFile());
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("icap tls: cannot build the TLS context (ca-bundle " + config.caBundle()
                    + ", certificate " + config.certificate() + "): " + e.getMessage(), e);
        }
    }
}
