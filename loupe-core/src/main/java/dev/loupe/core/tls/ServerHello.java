package dev.loupe.core.tls;

import java.util.List;

/**
 * The fields of a TLS ServerHello that fingerprints (JA3S, JA4S) need.
 *
 * @param legacyVersion   the {@code legacy_version} field
 * @param selectedVersion the {@code supported_versions} value (TLS 1.3), 0 when absent
 * @param cipherSuite     the suite the server chose
 * @param extensionTypes  extension types in the order they were sent
 * @param alpn            the protocol the server chose, null without ALPN
 */
public record ServerHello(int legacyVersion, int selectedVersion, int cipherSuite, List<Integer> extensionTypes,
                          String alpn) {
    public ServerHello {
        extensionTypes = List.copyOf(extensionTypes);
    }
}
