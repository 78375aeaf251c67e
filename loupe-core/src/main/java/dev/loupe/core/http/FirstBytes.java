package dev.loupe.core.http;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Tells from the first bytes of a plaintext stream whether it is an HTTP/1 request. Used wherever a stream's
 * protocol is not agreed beforehand: a CONNECT tunnel that does not start with TLS, a transparent connection,
 * a decrypted stream without ALPN.
 */
public final class FirstBytes {
    private static final int MAX_METHOD = 16;
    /** How much of an odd first line is read before it is taken for something other than HTTP. */
    private static final int MAX_LINE = 2048;
    /**
     * Methods from the IANA registry that real clients send: these decide at once. Any other word (a line
     * protocol's {@code HELO host}) must first show an {@code HTTP/d.d} line end.
     */
    private static final Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT",
            "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE",
            "LOCK", "UNLOCK", "REPORT", "SEARCH", "MKCALENDAR", "ACL", "BIND", "UNBIND", "REBIND", "MERGE",
            "CHECKOUT", "CHECKIN", "UNCHECKOUT", "VERSION-CONTROL", "LABEL", "UPDATE", "MKACTIVITY",
            "MKWORKSPACE", "BASELINE-CONTROL", "ORDERPATCH", "QUERY");

    /** What the first bytes say. */
    public enum Guess { HTTP, OTHER, UNDECIDED }

    private FirstBytes() {
    }

    /** Read access to the bytes seen so far, so a caller's buffer is classified in place without a copy. */
    @FunctionalInterface
    public interface Bytes {
        byte at(int index);
    }

    public static Guess classify(byte[] bytes) {
        return classify(i -> bytes[i], bytes.length);
    }

    /**
     * HTTP when the bytes (after any empty lines, which RFC 9112 lets a server ignore) open with a registered
     * method and a space, or when their first line is a token, whitespace and anything ending in
     * {@code HTTP/d.d}: an odd request line ({@code post /x HTTP/1.1}, a tab for a space) is still HTTP to a
     * lenient origin, so it must meet the strict codec (and be refused or logged), never go out as opaque
     * bytes. Undecided while the bytes so far could still become either.
     */
    public static Guess classify(Bytes buf, int length) {
        int start = 0;
        int end = length;
        while (start < end && (buf.at(start) == '\r' || buf.at(start) == '\n')) {
            start++;
        }
        int n = Math.min(end - start, MAX_METHOD);
        for (int i = 0; i < n; i++) {
            byte b = buf.at(start + i);
            if (b == ' ') {
                // a registered method needs no more bytes; "PRI" (the HTTP/2 preface) and unknown words do
                if (KNOWN_METHODS.contains(text(buf, start, i))) {
                    return Guess.HTTP;
                }
                break;
            }
            if (b < 'A' || b > 'Z') {
                break;
            }
        }
        return classifyLine(buf, start, end);
    }

    private static Guess classifyLine(Bytes buf, int start, int end) {
        int i = start;
        while (i < end && isTokenChar(buf.at(i))) {
            i++;
        }
        if (i == end) {
            return i - start < MAX_LINE ? Guess.UNDECIDED : Guess.OTHER;
        }
        byte separator = buf.at(i);
        if (i == start || (separator != ' ' && separator != '\t')) {
            return Guess.OTHER;
        }
        int limit = Math.min(end, start + MAX_LINE);
        for (; i < limit; i++) {
            byte b = buf.at(i);
            if (b == '\n') {
                int last = i > start && buf.at(i - 1) == '\r' ? i - 1 : i;
                return endsWithHttpVersion(buf, start, last) && !isPreface(buf, start, end) ? Guess.HTTP : Guess.OTHER;
            }
            if (b >= 0 && b < 0x20 && b != '\t' && b != '\r') {
                return Guess.OTHER;
            }
        }
        return limit == end && end - start < MAX_LINE ? Guess.UNDECIDED : Guess.OTHER;
    }

    /** {@code HTTP/d.d} (any case) just before {@code lineEnd}. */
    private static boolean endsWithHttpVersion(Bytes buf, int start, int lineEnd) {
        int v = lineEnd - 8;
        if (v <= start) {
            return false;
        }
        String tail = text(buf, v, 8);
        return tail.regionMatches(true, 0, "HTTP/", 0, 5) && Character.isDigit(tail.charAt(5))
                && tail.charAt(6) == '.' && Character.isDigit(tail.charAt(7));
    }

    private static boolean isPreface(Bytes buf, int start, int end) {
        return end - start >= 4 && text(buf, start, 4).equals("PRI ");
    }

    private static String text(Bytes buf, int from, int length) {
        byte[] copy = new byte[length];
        for (int i = 0; i < length; i++) {
            copy[i] = buf.at(from + i);
        }
        return new String(copy, StandardCharsets.ISO_8859_1);
    }

    /** RFC 9110 §5.6.2 tchar. */
    private static boolean isTokenChar(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
    }
}
