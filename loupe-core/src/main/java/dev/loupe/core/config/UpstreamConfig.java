package dev.loupe.core.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Connections to origin servers. Certificate validation is always on; these settings only choose
 * which roots are trusted and what the client sees when validation fails.
 */
public record UpstreamConfig(
        Path systemCaBundle,
        List<Path> extraCaBundles,
        String onInvalidCertificate,
        Duration connectTimeout,
        Duration handshakeTimeout) {

    public UpstreamConfig {
        extraCaBundles = List.copyOf(Check.orDefault(extraCaBundles, List.of()));
        onInvalidCertificate = Check.orDefault(onInvalidCertificate, InvalidCertificateAction.ERROR_PAGE.configName());
        InvalidCertificateAction.fromConfigName("on-invalid-certificate", onInvalidCertificate);
        connectTimeout = Check.positive("connect-timeout", Check.orDefault(connectTimeout, Duration.ofSeconds(10)));
        handshakeTimeout = Check.positive("handshake-timeout", Check.orDefault(handshakeTimeout, Duration.ofSeconds(10)));
        if (systemCaBundle != null && !Files.isReadable(systemCaBundle)) {
            throw new ConfigException("system-ca-bundle", systemCaBundle.toString(), "file is not readable");
        }
        for (int i = 0; i < extraCaBundles.size(); i++) {
            if (!Files.isReadable(extraCaBundles.get(i))) {
                throw new ConfigException("extra-ca-bundles[" + i + "]", extraCaBundles.get(i).toString(),
                        "file is not readable");
            }
        }
    }

    public static UpstreamConfig defaults() {
        return new UpstreamConfig(null, null, null, null, null);
    }

    public InvalidCertificateAction invalidCertificateAction() {
        return InvalidCertificateAction.fromConfigName("on-invalid-certificate", onInvalidCertificate);
    }
}
