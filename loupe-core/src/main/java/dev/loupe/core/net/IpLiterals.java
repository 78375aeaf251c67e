package dev.loupe.core.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Decides syntactically whether text is an IP address literal. Nothing here may wait on DNS, and
 * {@link InetAddress#getByName} resolves anything it does not recognise as a literal, so it is only
 * called for text it is guaranteed to parse as one (ASCII hex digits, ':' and '.', in brackets).
 */
public final class IpLiterals {
    private IpLiterals() {
    }

    /** The address of an IPv4 dotted quad or IPv6 literal (brackets allowed), otherwise empty. */
    public static Optional<InetAddress> address(String text) {
        String s = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        try {
            if (isDottedQuad(s)) {
                return Optional.of(InetAddress.getByAddress(dottedQuadBytes(s)));
            }
            if (looksLikeIpv6(s)) {
                // Brackets make the JDK treat the text strictly as an IPv6 literal (no resolver call).
                return Optional.of(InetAddress.getByName("[" + s + "]"));
            }
        } catch (UnknownHostException e) {
            // Only reached for malformed IPv6 such as "1:::2": not an address, so it is a name.
        }
        return Optional.empty();
    }

    /** The address bytes (4 or 16), or empty for anything that is not a literal. */
    public static Optional<byte[]> parse(String text) {
        return address(text).map(InetAddress::getAddress);
    }

    /** The canonical text ("::1" and "0:0:0:0:0:0:0:1" give the same), or empty if not a literal. */
    public static Optional<String> canonical(String text) {
        return address(text).map(InetAddress::getHostAddress);
    }

    public static boolean isLiteral(String text) {
        return address(text).isPresent();
    }

    private static boolean isDottedQuad(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            // Leading zeros are rejected: "010" is octal to some parsers and decimal to others.
            boolean digits = !part.isEmpty() && part.length() <= 3 && part.chars().allMatch(c -> c >= '0' && c <= '9');
            if (!digits || (part.length() > 1 && part.charAt(0) == '0') || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static byte[] dottedQuadBytes(String s) {
        String[] parts = s.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        return bytes;
    }

    private static boolean looksLikeIpv6(String s) {
        if (s.isEmpty() || !s.contains(":") || !(isAsciiHex(s.charAt(0)) || s.charAt(0) == ':')) {
            return false;
        }
        return s.chars().allMatch(c -> isAsciiHex(c) || c == ':' || c == '.');
    }

    // Character.digit would also accept non-ASCII digits, which are never part of an IP literal.
    private static boolean isAsciiHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
