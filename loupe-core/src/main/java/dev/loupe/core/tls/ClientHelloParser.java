package dev.loupe.core.tls;

import static dev.loupe.core.tls.HandshakeReader.RECORD_HEADER_LENGTH;

import dev.loupe.core.tls.ClientHelloParse.Malformed;
import dev.loupe.core.tls.ClientHelloParse.NotTls;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Recognises a TLS ClientHello in the first bytes of a connection, reassembling it when the client split
 * it over several handshake records. Input is never trusted: every length is checked against what is
 * actually there, and problems are reported as {@link ClientHelloParse} values rather than exceptions,
 * because this runs on raw bytes from arbitrary peers.
 *
 * <p>The verdict for "not TLS" is taken from the first three bytes so that plain-text protocols can be
 * relayed without waiting for more data than they will ever send.
 */
public final class ClientHelloParser {
    static final int CONTENT_TYPE_HANDSHAKE = 0x16;
    static final int HANDSHAKE_CLIENT_HELLO = 1;
    /** RFC 8446 5.2 allows ciphertext up to 2^14 + 256; a peer may not exceed it even in plaintext. */
    static final int MAX_RECORD_LENGTH = 16384 + 256;
    /** Real hellos, even with post-quantum key shares, are a few KiB; more is abuse of our buffering. */
    static final int MAX_CLIENT_HELLO_LENGTH = 65536;
    private static final int HANDSHAKE_HEADER_LENGTH = 4;
    private static final int HIGHEST_KNOWN_MINOR_VERSION = 4;

    private ClientHelloParser() {
    }

    /** Parses from {@code position()} to {@code limit()}; the buffer's position and limit are not changed. */
    public static ClientHelloParse parse(ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        return parse(buffer, buffer.position(), buffer.limit());
    }

    /** @throws IndexOutOfBoundsException if the range lies outside {@code bytes}: a caller bug, not bad input */
    public static ClientHelloParse parse(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        return parse(ByteBuffer.wrap(bytes), offset, offset + length);
    }

    private static ClientHelloParse parse(ByteBuffer buffer, int start, int limit) {
        int recordStart = start;
        int collected = 0;
        int messageLength = -1;
        while (true) {
            ClientHelloParse problem = checkRecordHeader(buffer, start, recordStart, limit);
            if (problem == null && recordStart == start) {
                problem = checkMessageHeaderEarly(buffer, recordStart, limit);
            }
            if (problem != null) {
                return problem;
            }
            int recordLength = u16(buffer, recordStart + 3);
            if (limit - recordStart - RECORD_HEADER_LENGTH < recordLength) {
                return ClientHelloParse.NEED_MORE;
            }
            collected += recordLength;
            recordStart += RECORD_HEADER_LENGTH + recordLength;
            if (messageLength < 0 && collected >= HANDSHAKE_HEADER_LENGTH) {
                // the 4-byte header itself may have been split across records
                HandshakeReader reader = new HandshakeReader(buffer, start);
                reader.skip(1);
                messageLength = HANDSHAKE_HEADER_LENGTH + reader.u24();
                if (messageLength > MAX_CLIENT_HELLO_LENGTH) {
                    return tooLarge(messageLength);
                }
            }
            if (messageLength >= 0 && collected >= messageLength) {
                return ClientHelloBodyParser.parse(buffer, start, messageLength, recordStart - start);
            }
        }
    }

    /**
     * Returns null when the header at {@code at} starts an acceptable handshake record, or the verdict
     * otherwise. A wrong type or version in the first record means the peer does not speak TLS; in a
     * later record it means a TLS peer broke the rules mid-hello.
     */
    private static ClientHelloParse checkRecordHeader(ByteBuffer buffer, int start, int at, int limit) {
        boolean first = at == start;
        int available = limit - at;
        if (available >= 1 && u8(buffer, at) != CONTENT_TYPE_HANDSHAKE) {
            return reject(first, at - start, String.format(
                    "record content type 0x%02x is not handshake (0x16)", u8(buffer, at)));
        }
        if (available >= 2 && u8(buffer, at + 1) != 3) {
            return reject(first, at - start, String.format(
                    "record version major 0x%02x is not 3", u8(buffer, at + 1)));
        }
        if (available >= 3 && u8(buffer, at + 2) > HIGHEST_KNOWN_MINOR_VERSION) {
            return reject(first, at - start, String.format(
                    "record version 3.%d is not an SSL/TLS version", u8(buffer, at + 2)));
        }
        if (available < RECORD_HEADER_LENGTH) {
            return ClientHelloParse.NEED_MORE;
        }
        int length = u16(buffer, at + 3);
        if (length == 0) {
            // RFC 8446 5.1 forbids empty handshake fragments; allowing them would let a peer stall us forever
            return new Malformed("empty handshake record at offset " + (at - start));
        }
        if (length > MAX_RECORD_LENGTH) {
            return new Malformed("record length " + length + " exceeds " + MAX_RECORD_LENGTH);
        }
        return null;
    }

    /** Rejects a wrong message type or size as soon as the first record shows it, before it is complete. */
    private static ClientHelloParse checkMessageHeaderEarly(ByteBuffer buffer, int record, int limit) {
        int body = record + RECORD_HEADER_LENGTH;
        int visible = Math.min(limit - body, u16(buffer, record + 3));
        if (visible >= 1 && u8(buffer, body) != HANDSHAKE_CLIENT_HELLO) {
            return new Malformed("handshake type " + u8(buffer, body) + " is not client_hello (1)");
        }
        if (visible >= HANDSHAKE_HEADER_LENGTH) {
            int messageLength = HANDSHAKE_HEADER_LENGTH
                    + (u8(buffer, body + 1) << 16 | u16(buffer, body + 2));
            if (messageLength > MAX_CLIENT_HELLO_LENGTH) {
                return tooLarge(messageLength);
            }
        }
        return null;
    }

    private static ClientHelloParse reject(boolean firstRecord, int offset, String reason) {
        return firstRecord
                ? new NotTls(reason)
                : new Malformed(reason + " in record at offset " + offset + " before the ClientHello was complete");
    }

    private static Malformed tooLarge(int messageLength) {
        return new Malformed("ClientHello too large: " + messageLength + " bytes exceeds " + MAX_CLIENT_HELLO_LENGTH);
    }

    private static int u8(ByteBuffer buffer, int index) {
        return buffer.get(index) & 0xFF;
    }

    private static int u16(ByteBuffer buffer, int index) {
        return u8(buffer, index) << 8 | u8(buffer, index + 1);
    }
}
