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
        Duration handshakeTimeout,
        String localDestinations) {

    public static final String REFUSE = "refuse";
    public static final String ALLOW = "allow";

    public UpstreamConfig {
        extraCaBundles = List.copyOf(Check.orDefault(extraCaBundles, List.of()));
        onInvalidCertificate = Check.orDefault(onInvalidCertificate, InvalidCertificateAction.ERROR_PAGE.configName());
        InvalidCertificateAction.fromConfigName("on-invalid-certificate", onInvalidCertificate);
        connectTimeout = Check.positive("connect-timeout", Check.orDefault(connectTimeout, Duration.ofSeconds(10)));
        handshakeTimeout = Check.positive("handshake-timeout", Check.orDefault(handshakeTimeout, Duration.ofSeconds(10)));
        // no SSRF into the gateway's own host by default; labs and tests on loopback opt in
        localDestinations = Check.orDefault(localDestinations, REFUSE);
        if (!localDestinations.equals(REFUSE) && !localDestinations.equals(ALLOW)) {
            throw new ConfigException("local-destinations", localDestinations, "must be one of refuse, allow");
        }
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
        return new UpstreamConfig(null, null, null, null, null, null);
    }

    /** Whether clients may reach loopback, link-local and this host's own addresses through Loupe. */
    public boolean allowLocalDestinations() {
        return localDestinations.equals(ALLOW);
    }

    public InvalidCertificateAction invalidCertificateAction() {
        return InvalidCertificateAction.fromConfigName("on-invalid-certificate", onInvalidCertificate);
    }
}
