package dev.loupe.core.pki;

import dev.loupe.core.net.IpLiterals;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * The identity of a forged certificate, and therefore the key under which it is cached: two
 * connections that need the same names get the same certificate. All fields are normalised
 * (lower-case DNS names, canonical IP text, sorted immutable sets) so equality is by value.
 *
 * @param commonName  the subject CN, or null when the upstream certificate had none
 * @param dnsNames    subjectAltName dNSName entries, lower-case
 * @param ipAddresses subjectAltName iPAddress entries, in {@link java.net.InetAddress} canonical text
 */
public record CertificateNames(String commonName, SortedSet<String> dnsNames, SortedSet<String> ipAddresses) {
    private static final int SAN_DNS_NAME = 2;
    private static final int SAN_IP_ADDRESS = 7;
    /** Characters of host names, wildcards and IP literals; a CN with anything else is a label, not a host. */
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9*_.:\\[\\]-]+");

    public CertificateNames {
        dnsNames = normalise(dnsNames, false);
        ipAddresses = normalise(ipAddresses, true);
    }

    /** The names an upstream certificate presents, so the forged one is valid for exactly the same hosts. */
    /**
     * The names a forged certificate carries for {@code upstream}: its own, plus the client's SNI when
     * they do not already cover it (so the client's handshake succeeds even for the error page).
     */
    public static CertificateNames mirroring(X509Certificate upstream, String sni) {
        CertificateNames names = mirroring(upstream);
        return sni != null && !sni.isBlank() && !names.covers(sni) ? names.with(sni) : names;
    }

    public static CertificateNames mirroring(X509Certificate upstream) {
        String cn = commonNameOf(upstream);
        TreeSet<String> dns = new TreeSet<>();
        TreeSet<String> ips = new TreeSet<>();
        for (List<?> san : subjectAltNames(upstream)) {
            Object type = san.get(0);
            if (Integer.valueOf(SAN_DNS_NAME).equals(type) && san.get(1) instanceof String name && !name.isBlank()) {
                dns.add(name);
            } else if (Integer.valueOf(SAN_IP_ADDRESS).equals(type)) {
                ips.add((String) san.get(1));
            }
        }
        CertificateNames names = new CertificateNames(cn, dns, ips);
        // Legacy certificates name the host only in the CN; clients now ignore the CN, so copy it to a SAN.
        boolean noSans = dns.isEmpty() && ips.isEmpty();
        // Only if it is a host name: old certificates also carry CNs like "Acme Web Server".
        return noSans && cn != null && HOST_NAME.matcher(cn).matches() ? names.with(cn) : names;
    }

    /** Names for a host we have no upstream certificate for (e.g. the upstream was unreachable). */
    public static CertificateNames forHost(String hostOrIp) {
        String cn = IpLiterals.canonical(hostOrIp).orElseGet(() -> dnsName(hostOrIp));
        return new CertificateNames(cn, null, null).with(hostOrIp);
    }

    /** These names plus {@code hostOrIp}; IP literals are recognised syntactically, never via DNS. */
    public CertificateNames with(String hostOrIp) {
        var ip = IpLiterals.canonical(hostOrIp);
        if (ip.isPresent()) {
            return ipAddresses.contains(ip.get()) ? this : new CertificateNames(commonName, dnsNames, plus(ipAddresses, ip.get()));
        }
        String dns = dnsName(hostOrIp);
        return dnsNames.contains(dns) ? this : new CertificateNames(commonName, plus(dnsNames, dns), ipAddresses);
    }

    /**
     * Whether a client connecting to {@code hostOrIp} would accept these names, following RFC 6125:
     * a wildcard {@code *.example.com} covers exactly one extra leftmost label.
     */
    public boolean covers(String hostOrIp) {
        var ip = IpLiterals.canonical(hostOrIp);
        if (ip.isPresent()) {
            return ipAddresses.contains(ip.get());
        }
        String host = dnsName(hostOrIp);
        if (dnsNames.contains(host)) {
            return true;
        }
        int dot = host.indexOf('.');
        return dot > 0 && dnsNames.contains("*" + host.substring(dot));
    }

    /** True when there is no subjectAltName: such a certificate would be rejected by every client. */
    public boolean isEmpty() {
        return dnsNames.isEmpty() && ipAddresses.isEmpty();
    }

    /** The name to put in the subject CN: the CN if known, else the first DNS name, else the first IP. */
    String displayName() {
        if (commonName != null && !commonName.isBlank()) {
            return commonName;
        }
        return !dnsNames.isEmpty() ? dnsNames.first() : ipAddresses.isEmpty() ? null : ipAddresses.first();
    }

    private static SortedSet<String> normalise(Collection<String> names, boolean ips) {
        TreeSet<String> result = new TreeSet<>();
        if (names != null) {
            for (String name : names) {
                result.add(ips ? canonicalIp(name) : dnsName(name));
            }
        }
        return Collections.unmodifiableSortedSet(result);
    }

    private static String canonicalIp(String ip) {
        return IpLiterals.canonical(ip).orElseThrow(
                () -> new IllegalArgumentException("ipAddresses: '" + ip + "' is not an IPv4 or IPv6 literal"));
    }

    /** Lower-case, without the root dot: "Example.COM." and "example.com" are the same host. */
    private static String dnsName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("dnsNames: host name must not be blank, got '" + name + "'");
        }
        String lower = name.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") && lower.length() > 1 ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static SortedSet<String> plus(SortedSet<String> set, String value) {
        TreeSet<String> copy = new TreeSet<>(set);
        copy.add(value);
        return copy;
    }

    private static String commonNameOf(X509Certificate cert) {
        X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        RDN[] cns = subject.getRDNs(BCStyle.CN);
        if (cns.length == 0) {
            return null;
        }
        ASN1Encodable value = cns[0].getFirst().getValue();
        // ASN1String gives the raw text; IETFUtils would add RFC 4514 escaping that is not part of the name.
        return value instanceof ASN1String s ? s.getString() : value.toString();
    }

    private static Collection<List<?>> subjectAltNames(X509Certificate cert) {
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            return sans == null ? List.of() : sans;
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("upstream certificate " + cert.getSubjectX500Principal()
                    + " has an unparseable subjectAltName extension", e);
        }
    }
}
