package dev.loupe.core.tls;

import java.util.List;
import java.util.Optional;

/**
 * The fields of a TLS ClientHello that routing and policy decisions need. Lists keep the client's order
 * and include GREASE values (RFC 8701), so fingerprinting code sees exactly what was sent.
 *
 * @param legacyVersion       the {@code legacy_version} field (0x0303 for TLS 1.2 and 1.3 clients)
 * @param supportedVersions   {@code supported_versions} entries, empty when the extension is absent
 * @param serverName          the first {@code host_name} SNI entry, lower-cased; {@code null} without one
 * @param alpnProtocols       ALPN protocol names, empty when the extension is absent
 * @param cipherSuites        cipher suite code points
 * @param extensionTypes      extension types in the order they were sent
 * @param encryptedClientHello whether the outer ECH extension (0xfe0d) is present; the real SNI is then hidden
 * @param totalLength         bytes of TLS records, headers included, that carried the ClientHello
 */
public record ClientHello(
        int legacyVersion,
        List<Integer> supportedVersions,
        String serverName,
        List<String> alpnProtocols,
        List<Integer> cipherSuites,
        List<Integer> extensionTypes,
        boolean encryptedClientHello,
        int totalLength) {

    public static final int TLS_1_3 = 0x0304;

    public ClientHello {
        supportedVersions = List.copyOf(supportedVersions);
        alpnProtocols = List.copyOf(alpnProtocols);
        cipherSuites = List.copyOf(cipherSuites);
        extensionTypes = List.copyOf(extensionTypes);
    }

    public Optional<String> sni() {
        return Optional.ofNullable(serverName);
    }

    /** TLS 1.3 can only be negotiated through supported_versions; legacy_version is frozen at 1.2. */
    public boolean offersTls13() {
        return supportedVersions.contains(TLS_1_3);
    }

    public boolean offersAlpn(String protocol) {
        // immutable lists throw on contains(null)
        return protocol != null && alpnProtocols.contains(protocol);
    }

    @Override
    public String toString() {
        StringBuilder versions = new StringBuilder();
        for (int version : supportedVersions) {
            versions.append(versions.isEmpty() ? "" : ",").append(hex(version));
        }
        return "ClientHello[sni=" + serverName
                + ", legacy=" + hex(legacyVersion)
                + ", versions=[" + versions
                + "], alpn=" + alpnProtocols
                + ", suites=" + cipherSuites.size()
                + ", extensions=" + extensionTypes.size()
                + (encryptedClientHello ? ", ech" : "")
                + ", bytes=" + totalLength + "]";
    }

    private static String hex(int value) {
        return String.format("0x%04x", value);
    }
}
