package dev.loupe.core.intel;

import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding helpers: the RFC 3986 6.2.2 normalisation of URL paths and queries, and strict
 * encoding of query parameter values (URLEncoder's form encoding turns spaces into '+', which a TAXII
 * server may read back as a plus sign).
 */
final class PercentEncoding {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PercentEncoding() {
    }

    /** Decodes escapes of unreserved characters and upper-cases the hex of every other escape. */
    static String normalise(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int value = c == '%' && i + 2 < text.length() ? decodeHex(text.charAt(i + 1), text.charAt(i + 2)) : -1;
            if (value < 0) {
                out.append(c);
            } else if (isUnreserved(value)) {
                out.append((char) value);
                i += 2;
            } else {
                out.append('%').append(HEX[value >> 4]).append(HEX[value & 0xf]);
                i += 2;
            }
        }
        return out.toString();
    }

    /** Every byte of the UTF-8 form except unreserved characters becomes %XX. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int v = b & 0xff;
            if (isUnreserved(v)) {
                out.append((char) v);
            } else {
                out.append('%').append(HEX[v >> 4]).append(HEX[v & 0xf]);
            }
        }
        return out.toString();
    }

    private static int decodeHex(char high, char low) {
        int h = Character.digit(high, 16);
        int l = Character.digit(low, 16);
        // Character.digit accepts non-ASCII digits, which are not hex in a URL.
        return h < 0 || l < 0 || high > 0x7f || low > 0x7f ? -1 : (h << 4) | l;
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
