package dev.loupe.core.config;

import java.nio.file.Path;

/**
 * TLS to {@code icaps://} servers (Squid's secure ICAP; c-icap's TlsPort or a TLS front such as stunnel).
 *
 * @param caBundle    PEM roots the servers' certificates must chain to; absent: the system's roots
 * @param certificate a client certificate (PEM) for servers that require one; needs {@code key}
 * @param key         its private key (PEM, PKCS#8)
 */
public record IcapTlsConfig(Path caBundle, Path certificate, Path key) {
    public IcapTlsConfig {
        if ((certificate == null) != (key == null)) {
            throw new ConfigException(certificate == null ? "certificate" : "key", "",
                    "a client certificate needs both certificate and key");
        }
    }

    public static IcapTlsConfig defaults() {
        return new IcapTlsConfig(null, null, null);
    }
}
