package dev.loupe.core.icap;

import dev.loupe.core.icap.IcapHeaders.Field;
import dev.loupe.core.icap.IcapProtocolException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a block of header lines ending with an empty line, as used by ICAP heads, encapsulated HTTP heads
 * and trailers. Lines end with CRLF or a bare LF (lenient, as HTTP recommends for readers); continuation
 * lines (obsolete folding, which c-icap still sends for {@code X-Violations-Found}) are joined with one
 * space.
 */
final class HeaderFields {
    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private HeaderFields() {
    }

    /**
     * @param bytes holds the block in {@code [from, to)}; it must end exactly with its empty line
     * @param base  stream offset of {@code bytes[0]}, for error reports
     * @param kind  what to report a bad line as (ICAP header vs encapsulated HTTP head)
     */
    static IcapHeaders parse(byte[] bytes, int from, int to, long base, Kind kind) throws IcapProtocolException {
        List<Field> fields = new ArrayList<>();
        // the field being read stays open so that continuation lines append in linear time
        String name = null;
        StringBuilder value = new StringBuilder();
        int at = from;
        while (at < to) {
            int lf = indexOf(bytes, '\n', at, to);
            if (lf < 0) {
                break;
            }
            int end = contentEnd(bytes, at, lf);
            if (end == at) {
                if (lf + 1 != to) {
                    throw new IcapProtocolException(kind, "data after the empty line ending the head", base + lf + 1);
                }
                close(fields, name, value);
                return new IcapHeaders(fields);
            }
            if (isOws(bytes[at])) {
                continueValue(name, value, bytes, at, end, base, kind);
            } else {
                close(fields, name, value);
                name = startField(value, bytes, at, end, base, kind);
            }
            at = lf + 1;
        }
        throw new IcapProtocolException(kind, "head does not end with an empty line", base + to);
    }

    static int indexOf(byte[] bytes, char wanted, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** End of a line's content: the LF position, minus a CR right before it. */
    static int contentEnd(byte[] bytes, int lineStart, int lf) {
        return lf > lineStart && bytes[lf - 1] == '\r' ? lf - 1 : lf;
    }

    static String latin1(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** Strips SP and HT only: other control bytes are content, not optional whitespace. */
    static String trimOws(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && isOws(value.charAt(start))) {
            start++;
        }
        while (end > start && isOws(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(start, end);
    }

    static boolean isOws(int c) {
        return c == ' ' || c == '\t';
    }

    static boolean isTokenChar(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || TOKEN_SYMBOLS.indexOf(c) >= 0;
    }

    /** Validates {@code name: value} and opens the field; returns its name, leaves its value in {@code value}. */
    private static String startField(StringBuilder value, byte[] bytes, int start, int end, long base, Kind kind)
            throws IcapProtocolException {
        int colon = indexOf(bytes, ':', start, end);
        if (colon < 0) {
            throw new IcapProtocolException(kind, "header line without ':'", base + start);
        }
        if (colon == start) {
            throw new IcapProtocolException(kind, "empty header name", base + start);
        }
        for (int i = start; i < colon; i++) {
            if (!isTokenChar(bytes[i] & 0xFF)) {
                throw new IcapProtocolException(kind, "invalid character in header name", base + i);
            }
        }
        value.append(trimOws(latin1(bytes, colon + 1, end)));
        return latin1(bytes, start, colon);
    }

    /** Obsolete folding: the line continues the open field's value, joined by one space (RFC 7230 3.2.4). */
    private static void continueValue(String name, StringBuilder value, byte[] bytes, int start, int end, long base,
            Kind kind) throws IcapProtocolException {
        if (name == null) {
            throw new IcapProtocolException(kind, "continuation line before the first header", base + start);
        }
        String more = trimOws(latin1(bytes, start, end));
        if (!more.isEmpty()) {
            value.append(value.isEmpty() ? "" : " ").append(more);
        }
    }

    private static void close(List<Field> fields, String name, StringBuilder value) {
        if (name != null) {
            fields.add(new Field(name, value.toString()));
        }
        value.setLength(0);
    }

    /** Keeps exception messages readable when a server sends a huge value. */
    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
