package dev.loupe.core.http;

import dev.loupe.core.net.IpLiterals;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks that keep what Loupe inspects and what the origin serves the same request. Each returns the
 * problem (for a 400 page and the log) or empty.
 *
 * <ul>
 *   <li>{@link #hostProblem}: in a tunnel the request must carry exactly one Host, naming the tunnel's
 *       verified name (SNI, else the CONNECT host) and port: otherwise policy, ICAP, the log and the mirror
 *       would judge one host while a virtual-hosting origin serves another.</li>
 *   <li>{@link #headerNameProblem}: names that lenient origins (CGI/WSGI map {@code -} to {@code _}, some
 *       trim spaces) would read as {@code Transfer-Encoding} or {@code Content-Length}, while Loupe frames by
 *       the real ones: a classic request-smuggling disagreement.</li>
 * </ul>
 */
public final class RequestChecks {
    private RequestChecks() {
    }

    /**
     * @param hosts every Host header value of the request
     * @param boundName the name the connection is bound to (lower case, no brackets)
     * @param port the tunnel's port; a Host without a port means {@code defaultPort}
     */
    public static Optional<String> hostProblem(List<String> hosts, String boundName, int port, int defaultPort) {
        if (hosts.isEmpty()) {
            return Optional.of("the request has no Host header");
        }
        if (hosts.size() > 1) {
            return Optional.of("the request has " + hosts.size() + " Host headers");
        }
        Authority a = Authority.parse(hosts.get(0), defaultPort);
        if (a == null) {
            return Optional.of("malformed Host '" + printable(hosts.get(0)) + "'");
        }
        return authorityProblem(a.host(), a.port(), boundName, port, "Host '" + printable(hosts.get(0)) + "'");
    }

    /** An absolute-form target's authority must be the bound one too. */
    public static Optional<String> authorityProblem(String host, int port, String boundName, int boundPort,
                                                    String what) {
        String h = normalise(host);
        if (!h.equals(normalise(boundName)) || port != boundPort) {
            return Optional.of(what + " does not name this connection's server " + boundName + ":" + boundPort);
        }
        return Optional.empty();
    }

    /** A header name that is not {@code Transfer-Encoding}/{@code Content-Length} but would be read as one. */
    public static Optional<String> headerNameProblem(Iterable<String> names) {
        for (String name : names) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("transfer-encoding") || lower.equals("content-length")) {
                continue;
            }
            StringBuilder squashed = new StringBuilder(lower.length());
            for (int i = 0; i < lower.length(); i++) {
                char c = lower.charAt(i);
                if (c == '_') {
                    squashed.append('-');
                } else if (c > ' ' && c != 0x7f) {
                    squashed.append(c);
                }
            }
            String s = squashed.toString();
            if (s.equals("transfer-encoding") || s.equals("content-length")) {
                return Optional.of("header name '" + printable(name) + "' would be read as " + s
                        + " by lenient servers");
            }
        }
        return Optional.empty();
    }

    /** A parsed {@code host[:port]} (IPv6 in brackets); null when malformed. */
    public record Authority(String host, int port) {
        public static Authority parse(String value, int defaultPort) {
            String v = value.strip();
            if (v.isEmpty() || v.indexOf('@') >= 0 || v.indexOf('/') >= 0 || v.indexOf('\\') >= 0) {
                return null;
            }
            String host;
            String port = null;
            if (v.startsWith("[")) {
                int close = v.indexOf(']');
                if (close < 0) {
                    return null;
                }
                host = v.substring(1, close);
                String rest = v.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        return null;
                    }
                    port = rest.substring(1);
                }
                if (!IpLiterals.isLiteral(host)) {
                    return null;
                }
            } else {
                int colon = v.indexOf(':');
                if (colon >= 0 && v.indexOf(':', colon + 1) >= 0) {
                    return null; // an IPv6 literal must be bracketed in a Host
                }
                host = colon < 0 ? v : v.substring(0, colon);
                port = colon < 0 ? null : v.substring(colon + 1);
                for (int i = 0; i < host.length(); i++) {
                    char c = host.charAt(i);
                    if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '.' && c != '_') {
                        return null;
                    }
                }
            }
            if (host.isEmpty()) {
                return null;
            }
            int p = defaultPort;
            if (port != null) {
                if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    return null;
                }
                p = Integer.parseInt(port);
                if (p < 1 || p > 65535) {
                    return null;
                }
            }
            return new Authority(host, p);
        }
    }

    private static String normalise(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".") && h.length() > 1) {
            h = h.substring(0, h.length() - 1); // the same DNS name
        }
        return IpLiterals.canonical(h).orElse(h);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                b.append(String.format("\\x%02x", (int) c & 0xff));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
