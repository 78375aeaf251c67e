package dev.loupe.core.tls;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the body of a complete ClientHello handshake message (RFC 8446 4.1.2). Each step returns
 * false after recording a reason instead of throwing, so arbitrary input can only ever produce a
 * {@link ClientHelloParse.Malformed}. Extension bodies are parsed by {@link ClientHelloExtensions}.
 */
final class ClientHelloBodyParser {
    private static final int RANDOM_LENGTH = 32;
    private static final int MAX_SESSION_ID_LENGTH = 32;
    private static final int EXTENSION_HEADER_LENGTH = 4;

    private final HandshakeReader reader;
    private final int end;
    private final ClientHelloExtensions extensions;
    private String failure;
    private int legacyVersion;
    private List<Integer> cipherSuites = List.of();
    private final List<Integer> extensionTypes = new ArrayList<>(24);

    private ClientHelloBodyParser(HandshakeReader reader, int end) {
        this.reader = reader;
        this.end = end;
        this.extensions = new ClientHelloExtensions(this, reader);
    }

    /**
     * @param firstRecord   absolute index of the first record header
     * @param messageLength handshake message length including its 4-byte header; all of it is present
     * @param totalLength   bytes of records that carry the message
     */
    static ClientHelloParse parse(ByteBuffer buffer, int firstRecord, int messageLength, int totalLength) {
        HandshakeReader reader = new HandshakeReader(buffer, firstRecord);
        reader.skip(4);
        ClientHelloBodyParser parser = new ClientHelloBodyParser(reader, messageLength);
        if (!parser.parseFixedFields() || !parser.parseExtensionBlock()) {
            return new ClientHelloParse.Malformed(parser.failure);
        }
        return new ClientHelloParse.Complete(parser.extensions.toHello(
                parser.legacyVersion, parser.cipherSuites, parser.extensionTypes, totalLength));
    }

    /** Always returns false so that callers can write {@code return fail(...)}. */
    boolean fail(String reason) {
        failure = reason;
        return false;
    }

    /** Checks that {@code count} bytes of {@code what} remain before {@code limit}. */
    boolean need(int count, int limit, String what) {
        int left = limit - reader.offset();
        if (count <= left) {
            return true;
        }
        return fail(what + " truncated at offset " + reader.offset() + ": needs " + count + " bytes, "
                + left + " left");
    }

    private boolean parseFixedFields() {
        if (!need(2 + RANDOM_LENGTH + 1, end, "legacy_version and random")) {
            return false;
        }
        legacyVersion = reader.u16();
        reader.skip(RANDOM_LENGTH);
        int sessionIdLength = reader.u8();
        if (sessionIdLength > MAX_SESSION_ID_LENGTH) {
            return fail("session_id length " + sessionIdLength + " exceeds " + MAX_SESSION_ID_LENGTH);
        }
        if (!need(sessionIdLength, end, "session_id")) {
            return false;
        }
        reader.skip(sessionIdLength);
        return parseCipherSuites() && parseCompressionMethods();
    }

    private boolean parseCipherSuites() {
        if (!need(2, end, "cipher_suites length")) {
            return false;
        }
        int length = reader.u16();
        if (length == 0 || length % 2 != 0) {
            return fail("cipher_suites length " + length + " is not a positive even number");
        }
        if (!need(length, end, "cipher_suites")) {
            return false;
        }
        Integer[] suites = new Integer[length / 2];
        for (int i = 0; i < suites.length; i++) {
            suites[i] = reader.u16();
        }
        cipherSuites = List.of(suites);
        return true;
    }

    private boolean parseCompressionMethods() {
        if (!need(1, end, "compression_methods length")) {
            return false;
        }
        int length = reader.u8();
        if (length == 0) {
            return fail("compression_methods list is empty");
        }
        if (!need(length, end, "compression_methods")) {
            return false;
        }
        reader.skip(length);
        return true;
    }

    private boolean parseExtensionBlock() {
        if (reader.offset() == end) {
            return true; // SSL 3.0-era hellos end after compression_methods
        }
        if (!need(2, end, "extensions length")) {
            return false;
        }
        int length = reader.u16();
        int left = end - reader.offset();
        if (length != left) {
            // trailing bytes would be a second opinion on where the hello ends: refuse rather than guess
            return fail("extensions length " + length + " does not match the " + left
                    + " bytes left in the ClientHello");
        }
        while (reader.offset() < end) {
            if (!parseExtension()) {
                return false;
            }
        }
        return true;
    }

    private boolean parseExtension() {
        int at = reader.offset();
        if (!need(EXTENSION_HEADER_LENGTH, end, "extension header")) {
            return false;
        }
        int type = reader.u16();
        int length = reader.u16();
        if (length > end - reader.offset()) {
            return fail(String.format("extension 0x%04x at offset %d has length %d but only %d bytes are left",
                    type, at, length, end - reader.offset()));
        }
        extensionTypes.add(type);
        int extensionEnd = reader.offset() + length;
        if (!extensions.parse(type, extensionEnd)) {
            return false;
        }
        if (reader.offset() != extensionEnd) {
            return fail(String.format("extension 0x%04x at offset %d has %d unparsed trailing bytes",
                    type, at, extensionEnd - reader.offset()));
        }
        return true;
    }
}
