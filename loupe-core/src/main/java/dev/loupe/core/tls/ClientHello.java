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
 * @param keyShareGroups      named groups of the {@code key_share} entries, in order; empty when absent or malformed
 * @param totalLength         bytes of TLS records, headers included, that carried the ClientHello
 * @param supportedGroups     {@code supported_groups} (named groups), in order; empty when absent or malformed
 * @param ecPointFormats      {@code ec_point_formats}, in order; empty when absent or malformed
 * @param signatureAlgorithms {@code signature_algorithms}, in order; empty when absent or malformed (these three
 *                            only feed fingerprints, so a malformed list empties it rather than failing the hello)
 */
public record ClientHello(
        int legacyVersion,
        List<Integer> supportedVersions,
        String serverName,
        List<String> alpnProtocols,
        List<Integer> cipherSuites,
        List<Integer> extensionTypes,
        boolean encryptedClientHello,
        List<Integer> keyShareGroups,
        int totalLength,
        List<Integer> supportedGroups,
        List<Integer> ecPointFormats,
        List<Integer> signatureAlgorithms) {

    public static final int TLS_1_3 = 0x0304;
    /**
     * Hybrid post-quantum groups: X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024 (IANA) and the
     * X25519Kyber768Draft00 that Chromium sent before ML-KEM.
     */
    private static final List<Integer> HYBRID_POST_QUANTUM_GROUPS = List.of(0x11ec, 0x11eb, 0x11ed, 0x6399);

    public ClientHello {
        supportedVersions = List.copyOf(supportedVersions);
        alpnProtocols = List.copyOf(alpnProtocols);
        cipherSuites = List.copyOf(cipherSuites);
        extensionTypes = List.copyOf(extensionTypes);
        keyShareGroups = List.copyOf(keyShareGroups);
        supportedGroups = List.copyOf(supportedGroups);
        ecPointFormats = List.copyOf(ecPointFormats);
        signatureAlgorithms = List.copyOf(signatureAlgorithms);
    }

    /**
     * Whether the client sent a hybrid post-quantum key share. The upstream handshake offers one only then: it
     * keeps the client's protection against harvest-now-decrypt-later without paying for an ML-KEM key pair on
     * behalf of a client that did not ask for one.
     */
    public boolean sentPostQuantumKeyShare() {
        for (int group : keyShareGroups) {
            if (HYBRID_POST_QUANTUM_GROUPS.contains(group)) {
                return true;
            }
        }
        return false;
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
                + (sentPostQuantumKeyShare() ? ", pq" : "")
                + ", bytes=" + totalLength + "]";
    }

    private static String hex(int value) {
        return String.format("0x%04x", value);
    }
}
