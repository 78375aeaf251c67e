package dev.loupe.core.http;

import java.nio.charset.StandardCharsets;

/**
 * RFC 9112 §2.2 lets a recipient accept a bare LF as a line end. Loupe does so only for heads it consumes
 * itself (its own CONNECT, and origin-form requests for its own pages; {@code testssl.sh --proxy} sends
 * {@code CONNECT host:port HTTP/1.0\n\n}); a head it forwards keeps the strict parser, because a bare LF that
 * Loupe and an origin read differently is a smuggling vector.
 */
public final class OwnHeadLineEnds {
    private OwnHeadLineEnds() {
    }

    /** Where the head in {@code bytes[0..length)} ends (after its empty line), or -1 if it has not ended yet. */
    public static int headEnd(byte[] bytes, int length) {
        return headEnd(bytes, 0, length);
    }

    /**
     * As {@link #headEnd(byte[], int)}, looking for line ends from {@code from} on: a caller that appends bytes
     * scans each byte once (from two before the old end, where an empty line may have begun).
     */
    public static int headEnd(byte[] bytes, int from, int length) {
        for (int i = Math.max(0, from); i < length; i++) {
            if (bytes[i] == '\n') {
                // an empty line: "\n\n" or "\n\r\n"
                if (i + 1 < length && bytes[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < length && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    /**
     * The head with every bare LF made CRLF, when it is one Loupe consumes itself (CONNECT, or an origin-form
     * target); otherwise null (leave the bytes to the strict parser, which refuses a bare LF).
     */
    public static byte[] normalisedIfOwn(byte[] head) {
        int space = -1;
        for (int i = 0; i < head.length && i < 32; i++) {
            if (head[i] == ' ') {
                space = i;
                break;
            }
        }
        if (space < 0) {
            return null;
        }
        String method = new String(head, 0, space, StandardCharsets.US_ASCII);
        boolean own = method.equals("CONNECT") || space + 1 < head.length && head[space + 1] == '/';
        if (!own) {
            return null;
        }
        int bare = 0;
        for (int i = 0; i < head.length; i++) {
            if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) {
                bare++;
            }
        }
        if (bare == 0) {
            return head;
        }
        byte[] out = new byte[head.length + bare];
        int o = 0;
        for (int i = 0; i < head.length; i++) {
            if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) {
                out[o++] = '\r';
            }
            out[o++] = head[i];
        }
        return out;
    }
}
