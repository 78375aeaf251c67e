package dev.loupe.core.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the ClientHello extensions Loupe acts on and skips the rest. Lists inside an extension must
 * fill it exactly: two parsers disagreeing about where a list ends is how SNI filters get bypassed.
 */
final class ClientHelloExtensions {
    static final int SERVER_NAME = 0;
    static final int SUPPORTED_GROUPS = 10;
    static final int EC_POINT_FORMATS = 11;
    static final int SIGNATURE_ALGORITHMS = 13;
    static final int ALPN = 16;
    static final int SUPPORTED_VERSIONS = 43;
    static final int KEY_SHARE = 51;
    static final int ENCRYPTED_CLIENT_HELLO = 0xfe0d;
    private static final int NAME_TYPE_HOST_NAME = 0;

    private final ClientHelloBodyParser body;
    private final HandshakeReader reader;
    private boolean seenServerName;
    private String serverName;
    private List<String> alpnProtocols;
    private List<Integer> supportedVersions;
    private List<Integer> keyShareGroups;
    private List<Integer> supportedGroups;
    private List<Integer> ecPointFormats;
    private List<Integer> signatureAlgorithms;
    private boolean encryptedClientHello;

    ClientHelloExtensions(ClientHelloBodyParser body, HandshakeReader reader) {
        this.body = body;
        this.reader = reader;
    }

    /** Consumes one extension body, which ends at {@code end}; returns false after reporting a failure. */
    boolean parse(int type, int end) {
        if (alreadyParsed(type)) {
            // a second copy could carry a different name than the one a policy checked
            return body.fail(String.format("duplicate extension 0x%04x", type));
        }
        return switch (type) {
            case SERVER_NAME -> parseServerName(end);
            case ALPN -> parseAlpn(end);
            case SUPPORTED_VERSIONS -> parseSupportedVersions(end);
            case KEY_SHARE -> readKeyShareGroups(end);
            case SUPPORTED_GROUPS -> {
                supportedGroups = readList(end, 2, 2);
                yield true;
            }
            case EC_POINT_FORMATS -> {
                ecPointFormats = readList(end, 1, 1);
                yield true;
            }
            case SIGNATURE_ALGORITHMS -> {
                signatureAlgorithms = readList(end, 2, 2);
                yield true;
            }
            default -> {
                encryptedClientHello |= type == ENCRYPTED_CLIENT_HELLO;
                reader.skip(end - reader.offset());
                yield true;
            }
        };
    }

    ClientHello toHello(int legacyVersion, List<Integer> cipherSuites, List<Integer> extensionTypes, int totalLength) {
        return new ClientHello(legacyVersion,
                supportedVersions == null ? List.of() : supportedVersions,
                serverName,
                alpnProtocols == null ? List.of() : alpnProtocols,
                cipherSuites, extensionTypes, encryptedClientHello,
                keyShareGroups == null ? List.of() : keyShareGroups, totalLength,
                supportedGroups == null ? List.of() : supportedGroups,
                ecPointFormats == null ? List.of() : ecPointFormats,
                signatureAlgorithms == null ? List.of() : signatureAlgorithms);
    }

    private boolean alreadyParsed(int type) {
        return switch (type) {
            case SERVER_NAME -> seenServerName;
            case ALPN -> alpnProtocols != null;
            case SUPPORTED_VERSIONS -> supportedVersions != null;
            case KEY_SHARE -> keyShareGroups != null;
            case SUPPORTED_GROUPS -> supportedGroups != null;
            case EC_POINT_FORMATS -> ecPointFormats != null;
            case SIGNATURE_ALGORITHMS -> signatureAlgorithms != null;
            default -> false;
        };
    }

    private boolean parseServerName(int end) {
        seenServerName = true;
        if (!listFillsExtension(2, end, "server_name_list")) {
            return false;
        }
        while (reader.offset() < end) {
            if (!body.need(3, end, "SNI entry header")) {
                return false;
            }
            int nameType = reader.u8();
            int length = reader.u16();
            if (!body.need(length, end, "SNI name")) {
                return false;
            }
            if (nameType == NAME_TYPE_HOST_NAME && serverName == null) {
                if (!readHostName(length)) {
                    return false;
                }
            } else {
                reader.skip(length);
            }
        }
        return true;
    }

    private boolean readHostName(int length) {
        int at = reader.offset();
        if (length == 0 || length > HostNames.MAX_LENGTH) {
            return body.fail("SNI host name at offset " + at + " has length " + length + ", outside 1.."
                    + HostNames.MAX_LENGTH);
        }
        byte[] name = new byte[length];
        for (int i = 0; i < length; i++) {
            name[i] = (byte) reader.u8();
        }
        String problem = HostNames.checkAndLowerCase(name);
        if (problem != null) {
            return body.fail("SNI host name at offset " + at + " " + problem);
        }
        serverName = new String(name, StandardCharsets.US_ASCII);
        return true;
    }

    private boolean parseAlpn(int end) {
        if (!listFillsExtension(2, end, "ALPN protocol_name_list")) {
            return false;
        }
        List<String> protocols = new ArrayList<>(4);
        while (reader.offset() < end) {
            int length = reader.u8();
            if (length == 0) {
                return body.fail("empty ALPN protocol name at offset " + (reader.offset() - 1));
            }
            if (!body.need(length, end, "ALPN protocol name")) {
                return false;
            }
            byte[] name = new byte[length];
            for (int i = 0; i < length; i++) {
                name[i] = (byte) reader.u8();
            }
            // names are opaque bytes; ISO-8859-1 maps each byte to one char and cannot fail
            protocols.add(new String(name, StandardCharsets.ISO_8859_1));
        }
        alpnProtocols = List.copyOf(protocols);
        return true;
    }

    private boolean parseSupportedVersions(int end) {
        if (!listFillsExtension(1, end, "supported_versions list")) {
            return false;
        }
        int length = end - reader.offset();
        if (length % 2 != 0) {
            return body.fail("supported_versions list length " + length + " is odd");
        }
        Integer[] versions = new Integer[length / 2];
        for (int i = 0; i < versions.length; i++) {
            versions[i] = reader.u16();
        }
        supportedVersions = List.of(versions);
        return true;
    }

    /**
     * The groups of the key shares the client sent (RFC 8446 4.2.8), which upstream handshakes follow. Read
     * leniently: a share list that does not add up leaves the groups empty (classical offer upstream) rather than
     * failing the hello, because no routing decision rests on it and the TLS server judges it anyway.
     */
    private boolean readKeyShareGroups(int end) {
        List<Integer> groups = new ArrayList<>(4);
        if (end - reader.offset() >= 2 && reader.u16() == end - reader.offset()) {
            while (end - reader.offset() >= 4) {
                int group = reader.u16();
                int length = reader.u16();
                if (length > end - reader.offset()) {
                    groups.clear();
                    break;
                }
                groups.add(group);
                reader.skip(length);
            }
        }
        if (reader.offset() != end) {
            groups.clear();
            reader.skip(end - reader.offset());
        }
        keyShareGroups = List.copyOf(groups);
        return true;
    }

    /**
     * A length-prefixed list of fixed-size entries that must fill the extension; read leniently (an empty list when
     * it does not add up), as for the key shares: only fingerprints use these.
     */
    private List<Integer> readList(int end, int prefixLength, int entryLength) {
        List<Integer> out = new ArrayList<>(16);
        int left = end - reader.offset();
        if (left >= prefixLength) {
            int length = prefixLength == 1 ? reader.u8() : reader.u16();
            if (length == end - reader.offset() && length % entryLength == 0) {
                for (int i = 0; i < length / entryLength; i++) {
                    out.add(entryLength == 1 ? reader.u8() : reader.u16());
                }
            }
        }
        if (reader.offset() != end) {
            out.clear();
            reader.skip(end - reader.offset());
        }
        return List.copyOf(out);
    }

    /** Reads a list's length prefix and requires the list to be non-empty and to end with the extension. */
    private boolean listFillsExtension(int prefixLength, int end, String what) {
        if (!body.need(prefixLength, end, what + " length")) {
            return false;
        }
        int length = prefixLength == 1 ? reader.u8() : reader.u16();
        int left = end - reader.offset();
        if (length == 0 || length != left) {
            return body.fail(what + " length " + length + " at offset " + (reader.offset() - prefixLength)
                    + (length == 0 ? " is empty" : " does not match the " + left + " bytes left in its extension"));
        }
        return true;
    }
}
