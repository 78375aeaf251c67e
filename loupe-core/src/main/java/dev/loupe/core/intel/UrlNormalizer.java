package dev.loupe.core.intel;

import dev.loupe.core.net.IpLiterals;
import java.util.ArrayList;
import java.util.List;

/**
 * The one canonical URL form, {@code host[:port]/path[?query]}, shared by URL indicators and request
 * lookups so that both sides agree byte for byte. The scheme is dropped and ports 80 and 443 are dropped
 * whatever the scheme (the same resource is blocked over http and https); the fragment never reaches a
 * server, so it is dropped. To stop trivial evasion, percent-escapes of unreserved characters are decoded,
 * other escapes get upper-case hex and dot segments are removed (RFC 3986 6.2.2); nothing else is decoded.
 */
final class UrlNormalizer {
    private UrlNormalizer() {
    }

    /** Canonical form of a URL given by a feed; throws IllegalArgumentException if it has no usable host. */
    static String normaliseIndicator(String url) {
        String text = url.strip();
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) <= ' ' || text.charAt(i) == 0x7f) {
                throw new IllegalArgumentException("URL contains whitespace or control characters");
            }
        }
        String rest = text.substring(schemeEnd(text));
        int authorityEnd = indexOfAny(rest, "/?#");
        String authority = rest.substring(0, authorityEnd);
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        int portColon = portColon(authority, url);
        String host = portColon < 0 ? authority : authority.substring(0, portColon);
        int port = portColon < 0 ? -1 : parsePort(authority.substring(portColon + 1), url);
        return indicatorHost(host, url) + portSuffix(port) + pathAndQuery(rest.substring(authorityEnd));
    }

    /** Canonical form of a request, lenient: whatever the client sent yields some key, never an exception. */
    static String requestKey(String host, int port, String pathAndQuery) {
        return requestHost(host) + portSuffix(port) + pathAndQuery(pathAndQuery == null ? "" : pathAndQuery);
    }

    /** Length of "scheme://" or "//" at the start of the text, 0 if there is none. */
    private static int schemeEnd(String text) {
        if (text.startsWith("//")) {
            return 2;
        }
        int i = 0;
        while (i < text.length() && isSchemeChar(text.charAt(i), i == 0)) {
            i++;
        }
        return i > 0 && text.startsWith("://", i) ? i + 3 : 0;
    }

    private static boolean isSchemeChar(char c, boolean first) {
        boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        return alpha || (!first && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    }

    /** Index of the ':' before the port, -1 if there is none; an IPv6 literal's colons are inside brackets. */
    private static int portColon(String authority, String url) {
        if (!authority.startsWith("[")) {
            return authority.indexOf(':');
        }
        int close = authority.indexOf(']');
        if (close < 0 || (close + 1 < authority.length() && authority.charAt(close + 1) != ':')) {
            throw new IllegalArgumentException("'" + url + "' has a malformed IPv6 literal");
        }
        return close + 1 < authority.length() ? close + 1 : -1;
    }

    private static int parsePort(String text, String url) {
        if (text.isEmpty()) {
            return -1;
        }
        if (!FeedText.isDigits(text, 5)) {
            throw new IllegalArgumentException("'" + url + "' has an invalid port");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + url + "' has a port outside 1..65535");
        }
        return port;
    }

    private static String indicatorHost(String host, String url) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + url + "' has no host");
        }
        if (host.startsWith("[") || IpLiterals.isLiteral(host)) {
            String canonical = IpLiterals.canonical(host)
                    .orElseThrow(() -> new IllegalArgumentException("'" + url + "' has an invalid IP literal"));
            return bracketIfV6(canonical);
        }
        return DomainNames.normalise(host);
    }

    private static String requestHost(String host) {
        if (host.isEmpty()) {
            return host;
        }
        char last = host.charAt(host.length() - 1);
        // Only text that can be an IP literal pays for the literal parser (TLDs never end in a digit).
        if (host.charAt(0) == '[' || host.indexOf(':') >= 0 || (last >= '0' && last <= '9')) {
            var canonical = IpLiterals.canonical(host);
            if (canonical.isPresent()) {
                return bracketIfV6(canonical.get());
            }
        }
        return DomainNames.lookupForm(host);
    }

    private static String bracketIfV6(String address) {
        return address.indexOf(':') >= 0 ? "[" + address + "]" : address;
    }

    private static String portSuffix(int port) {
        return port <= 0 || port == 80 || port == 443 ? "" : ":" + port;
    }

    /** Path (at least "/") and optional query, fragment removed, normalised as the class comment says. */
    static String pathAndQuery(String raw) {
        if (isAlreadyNormal(raw)) {
            return raw;
        }
        int fragment = raw.indexOf('#');
        String text = fragment >= 0 ? raw.substring(0, fragment) : raw;
        int question = text.indexOf('?');
        String path = question >= 0 ? text.substring(0, question) : text;
        String query = question >= 0 ? text.substring(question + 1) : "";
        path = removeDotSegments(PercentEncoding.normalise(path.startsWith("/") ? path : "/" + path));
        query = PercentEncoding.normalise(query);
        return query.isEmpty() ? path : path + "?" + query;
    }

    /** The common case, a plain origin-form target, is returned as is without allocating. */
    private static boolean isAlreadyNormal(String raw) {
        if (raw.isEmpty() || raw.charAt(0) != '/' || raw.charAt(raw.length() - 1) == '?') {
            return false;
        }
        boolean inQuery = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '#' || c == '%' || (!inQuery && c == '.' && raw.charAt(i - 1) == '/')) {
                return false;
            }
            inQuery |= c == '?';
        }
        return true;
    }

    /** RFC 3986 5.2.4 for an absolute path: "." segments vanish, ".." removes the segment before it. */
    static String removeDotSegments(String path) {
        String[] segments = path.split("/", -1);
        List<String> out = new ArrayList<>(segments.length);
        for (int i = 1; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.equals(".") || segment.equals("..")) {
                if (segment.equals("..") && !out.isEmpty()) {
                    out.removeLast();
                }
                if (last) {
                    out.add("");
                }
            } else {
                out.add(segment);
            }
        }
        return "/" + String.join("/", out);
    }

    static int indexOfAny(String text, String chars) {
        for (int i = 0; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }
}
