package dev.loupe.core.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the ServerHello at the start of what a TLS server sends: the first record, which must hold the whole
 * ServerHello message (servers send it first and whole; a handshake message split across records is only
 * answered with "not yet" until the bytes run out). Pure and lenient: anything it cannot read is "no
 * fingerprint", never an error, because the TLS stack that really speaks to the server judges the bytes.
 */
public final class ServerHelloParser {
    /** What reading the first bytes gave: a hello, a need for more bytes, or nothing to fingerprint. */
    public sealed interface Result {
        record Parsed(ServerHello hello) implements Result {
        }

        record NeedMore() implements Result {
        }

        record NotAServerHello(String why) implements Result {
        }
    }

    private static final int HANDSHAKE = 22;
    private static final int SERVER_HELLO = 2;
    private static final int MAX_RECORD = 16_384 + 2_048;

    private ServerHelloParser() {
    }

    public static Result parse(byte[] b, int offset, int length) {
        if (length < 5) {
            return new Result.NeedMore();
        }
        if ((b[offset] & 0xff) != HANDSHAKE) {
            return new Result.NotAServerHello("first record is not a handshake");
        }
        int recordLength = u16(b, offset + 3);
        if (recordLength > MAX_RECORD) {
            return new Result.NotAServerHello("record length " + recordLength);
        }
        if (length < 5 + recordLength) {
            return new Result.NeedMore();
        }
        return body(b, offset + 5, offset + 5 + recordLength);
    }

    private static Result body(byte[] b, int at, int end) {
        if (end - at < 4 || (b[at] & 0xff) != SERVER_HELLO) {
            return new Result.NotAServerHello("first handshake message is not a ServerHello");
        }
        int messageEnd = at + 4 + ((b[at + 1] & 0xff) << 16 | u16(b, at + 2));
        if (messageEnd > end) {
            return new Result.NotAServerHello("ServerHello split across records");
        }
        int p = at + 4;
        if (messageEnd - p < 2 + 32 + 1) {
            return new Result.NotAServerHello("ServerHello too short");
        }
        int legacyVersion = u16(b, p);
        p += 2 + 32;
        p += 1 + (b[p] & 0xff); // session id
        if (messageEnd - p < 3) {
            return new Result.NotAServerHello("ServerHello too short for its cipher suite");
        }
        int cipher = u16(b, p);
        p += 3; // suite and compression method
        List<Integer> extensions = new ArrayList<>(8);
        int selected = 0;
        String alpn = null;
        if (messageEnd - p >= 2) {
            int extEnd = p + 2 + u16(b, p);
            p += 2;
            if (extEnd > messageEnd) {
                return new Result.NotAServerHello("extensions overrun the ServerHello");
            }
            while (extEnd - p >= 4) {
                int type = u16(b, p);
                int len = u16(b, p + 2);
                p += 4;
                if (len > extEnd - p) {
                    return new Result.NotAServerHello("extension 0x" + Integer.toHexString(type) + " overruns");
                }
                extensions.add(type);
                if (type == ClientHelloExtensions.SUPPORTED_VERSIONS && len == 2) {
                    selected = u16(b, p);
                } else if (type == ClientHelloExtensions.ALPN && len >= 3) {
                    int nameLength = b[p + 2] & 0xff;
                    if (nameLength > 0 && 3 + nameLength <= len) {
                        alpn = new String(b, p + 3, nameLength, StandardCharsets.ISO_8859_1);
                    }
                }
                p += len;
            }
        }
        return new Result.Parsed(new ServerHello(legacyVersion, selected, cipher, extensions, alpn));
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }
}
