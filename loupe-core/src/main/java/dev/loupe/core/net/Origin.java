package dev.loupe.core.net;


import java.util.Locale;

/** Where a request or tunnel goes: host (name or IP literal, without brackets) and port. */
public record Origin(String host, int port) {
    public Origin {
        host = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        host = host.toLowerCase(Locale.ROOT);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range");
        }
    }

    /** Parses a CONNECT authority {@code host:port} (IPv6 in brackets). */
    public static Origin parseAuthority(String authority, int defaultPort) {
        String a = authority.strip();
        int colon = a.lastIndexOf(':');
        boolean bracketed = a.startsWith("[");
        if (colon < 0 || (bracketed && colon < a.indexOf(']'))) {
            return new Origin(a, defaultPort);
        }
        if (!bracketed && a.indexOf(':') != colon) {
            // a bare IPv6 literal without port
            return new Origin(a, defaultPort);
        }
        String port = a.substring(colon + 1);
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("bad port in '" + authority + "'");
        }
        String host = a.substring(0, colon);
        if (host.isEmpty()) {
            throw new IllegalArgumentException("missing host in '" + authority + "'");
        }
        return new Origin(host, Integer.parseInt(port));
    }

    public boolean isIpLiteral() {
        return IpLiterals.isLiteral(host);
    }

    /** host:port with IPv6 in brackets, as in an authority. */
    public String authority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return authority();
    }
}
