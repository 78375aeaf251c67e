package dev.loupe.core.trust;

import dev.loupe.core.net.IpLiterals;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Host name verification with the rules browsers apply (RFC 6125 as profiled by the CA/B Forum):
 * only subjectAltName entries count, the subject CN is ignored, and wildcards are restricted.
 */
public final class HostnameMatcher {

    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private HostnameMatcher() {}

    /** True when {@code host} (DNS name or IP literal) is covered by the certificate's SANs. */
    public static boolean matches(X509Certificate cert, String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        Optional<byte[]> ip = parseIpLiteral(host.strip());
        if (ip.isPresent()) {
            // IP literals match iPAddress SANs only; a dNSName "127.0.0.1" is not an IP identity.
            return sans(cert, SAN_IP).stream()
                    .map(HostnameMatcher::parseIpLiteral)
                    .anyMatch(san -> san.isPresent() && Arrays.equals(san.get(), ip.get()));
        }
        String dnsHost = normalizeDns(host.strip());
        if (dnsHost.isEmpty() || dnsHost.contains("*")) {
            return false; // a host name never legitimately contains a wildcard
        }
        return sans(cert, SAN_DNS).stream().anyMatch(san -> dnsMatches(normalizeDns(san), dnsHost));
    }

    /** SANs as "DNS:name" / "IP:address" for error details; other name types are not shown. */
    public static List<String> describeNames(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        for (List<?> entry : allSans(cert)) {
            Object type = entry.get(0);
            if (Integer.valueOf(SAN_DNS).equals(type)) {
                names.add("DNS:" + entry.get(1));
            } else if (Integer.valueOf(SAN_IP).equals(type)) {
                names.add("IP:" + entry.get(1));
            }
        }
        return List.copyOf(names);
    }

    /** {@code pattern} and {@code host} are already lower-cased without trailing dot. */
    static boolean dnsMatches(String pattern, String host) {
        if (pattern.isEmpty()) {
            return false;
        }
        if (!pattern.contains("*")) {
            return pattern.equals(host); // A-labels compare as plain ASCII, no IDN conversion
        }
        if (!pattern.startsWith("*.")) {
            return false; // partial (f*.example.com) or non-left-most wildcards never match
        }
        String suffix = pattern.substring(2);
        // "*.com" would cover a whole TLD; require two complete labels after the wildcard.
        if (suffix.contains("*") || !hasAtLeastTwoLabels(suffix)) {
            return false;
        }
        int firstDot = host.indexOf('.');
        // The wildcard stands for exactly one non-empty label: not zero labels, not several.
        return firstDot > 0 && host.substring(firstDot + 1).equals(suffix);
    }

    private static boolean hasAtLeastTwoLabels(String name) {
        String[] labels = name.split("\\.", -1);
        return labels.length >= 2 && Arrays.stream(labels).noneMatch(String::isEmpty);
    }

    private static String normalizeDns(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /**
     * Parses an IPv4 dotted quad or an IPv6 literal (optionally bracketed). Never performs a DNS
     * lookup: anything that is not syntactically a literal yields empty.
     */
    static Optional<byte[]> parseIpLiteral(String text) {
        return IpLiterals.parse(text);
    }

    private static List<String> sans(X509Certificate cert, int type) {
        List<String> values = new ArrayList<>();
        for (List<?> entry : allSans(cert)) {
            if (Integer.valueOf(type).equals(entry.get(0)) && entry.get(1) instanceof String value) {
                values.add(value);
            }
        }
        return values;
    }

    private static Collection<List<?>> allSans(X509Certificate cert) {
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            return sans == null ? List.of() : sans;
        } catch (CertificateParsingException e) {
            return List.of(); // an unparseable SAN extension matches nothing, like in browsers
        }
    }
}
