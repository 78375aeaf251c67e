package dev.loupe.core.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Recognises IP address literals without ever touching DNS. {@link InetAddress#getByName} would resolve
 * a name, so it is only called once the text is known to be a literal.
 */
public final class IpLiterals {
    private IpLiterals() {
    }

    /** The address bytes of an IPv4 or IPv6 literal (brackets allowed), or empty for anything else. */
    public static Optional<byte[]> parse(String text) {
        String s = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (!isIpv4Literal(s) && !isIpv6Literal(s)) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(s).getAddress());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    public static boolean isLiteral(String text) {
        return parse(text).isPresent();
    }

    private static boolean isIpv4Literal(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv6Literal(String s) {
        // The JDK only parses text starting with a hex digit or ':' as a literal; anything else it
        // would resolve, so it must be refused here.
        if (s.isEmpty() || !s.contains(":") || s.contains("%")
                || (Character.digit(s.charAt(0), 16) < 0 && s.charAt(0) != ':')) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return false;
            }
        }
        return true;
    }
}
