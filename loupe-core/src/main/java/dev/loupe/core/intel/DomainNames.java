package dev.loupe.core.intel;

import dev.loupe.core.net.IpLiterals;
import java.net.IDN;
import java.util.Locale;

/** Canonical form of DNS names as indicators store them and as lookups compare them. */
final class DomainNames {
    private static final int MAX_NAME = 253;
    private static final int MAX_LABEL = 63;

    private DomainNames() {
    }

    /**
     * Lower-case ASCII (A-labels for internationalised names) without a trailing dot. Feeds are lenient
     * about hostname syntax (underscores, leading hyphens occur in real blocklists), so only characters that
     * can never be in a DNS name, empty labels and over-long names are refused.
     */
    static String normalise(String name) {
        String text = name.strip();
        if (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty domain name");
        }
        if (!isAscii(text)) {
            text = toAscii(text);
        }
        text = text.toLowerCase(Locale.ROOT);
        validate(text, name);
        if (IpLiterals.isLiteral(text)) {
            throw new IllegalArgumentException("'" + name + "' is an IP address, not a domain name");
        }
        return text;
    }

    private static void validate(String text, String original) {
        if (text.length() > MAX_NAME) {
            throw new IllegalArgumentException("domain name longer than " + MAX_NAME + " characters");
        }
        int labelStart = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c == '.') {
                int length = i - labelStart;
                if (length == 0 || length > MAX_LABEL) {
                    throw new IllegalArgumentException("'" + original + "' has an empty or over-long label");
                }
                labelStart = i + 1;
            } else if (!isNameChar(c)) {
                throw new IllegalArgumentException("'" + original + "' is not a valid domain name");
            }
        }
    }

    private static String toAscii(String text) {
        try {
            return IDN.toASCII(text, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid internationalised domain name");
        }
    }

    static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** ASCII-only lower-casing: hosts on the wire are ASCII, and locale rules (Turkish i) must not apply. */
    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /** The lookup form of a host as a client sent it: lower-case, no trailing dot; never throws. */
    static String lookupForm(String host) {
        int end = host.endsWith(".") ? host.length() - 1 : host.length();
        StringBuilder out = null;
        for (int i = 0; i < end; i++) {
            char c = host.charAt(i);
            if (c >= 'A' && c <= 'Z' && out == null) {
                out = new StringBuilder(end).append(host, 0, i);
            }
            if (out != null) {
                out.append(lower(c));
            }
        }
        return out != null ? out.toString() : host.substring(0, end);
    }
}
