package dev.loupe.core.pki;

import dev.loupe.core.net.IpLiterals;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/**
 * Mints leaf certificates signed by Loupe's CA that impersonate upstream servers. Thread-safe:
 * all state is immutable except the leaf key, which is swapped atomically by {@link #rotateLeafKey}.
 */
public final class CertificateForge {
    /** RFC 5280 upper bound for a CN; longer host names can only appear in the subjectAltName. */
    private static final int MAX_COMMON_NAME_LENGTH = 64;
    private static final Duration ERROR_PAGE_BACKDATE = Duration.ofHours(1);
    private static final Duration ERROR_PAGE_LIFETIME = Duration.ofHours(24);

    private final CertificateAuthority ca;
    private final Clock clock;
    private final X500Name issuer;
    private final AuthorityKeyIdentifier authorityKeyIdentifier;
    private final AtomicReference<LeafKeyPair> leafKey = new AtomicReference<>(LeafKeyPair.generate());

    public CertificateForge(CertificateAuthority ca, Clock clock) {
        this.ca = Objects.requireNonNull(ca, "ca");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.issuer = Certificates.subjectOf(ca.certificate());
        this.authorityKeyIdentifier = authorityKeyIdentifier(ca.certificate());
    }

    /** Leaves forged from now on use a fresh key; already forged (and cached) leaves keep the old one. */
    public void rotateLeafKey() {
        leafKey.set(LeafKeyPair.generate());
    }

    /**
     * A leaf valid for the same names as {@code upstream} plus the client's SNI if the upstream
     * certificate does not already cover it, valid no longer than both the upstream and the CA.
     */
    public ForgedCertificate forgeMirroring(X509Certificate upstream, String sni) {
        return forge(CertificateNames.mirroring(upstream, sni), upstream.getNotBefore().toInstant(), upstream.getNotAfter().toInstant());
    }

    /**
     * A short-lived leaf for when the upstream certificate is unacceptable: the client handshake must
     * still succeed so the client can be shown Loupe's error page instead of a bare TLS failure.
     */
    public ForgedCertificate forgeForErrorPage(CertificateNames names) {
        Instant now = clock.instant();
        return forge(names, now.minus(ERROR_PAGE_BACKDATE), now.plus(ERROR_PAGE_LIFETIME));
    }

    /** Forges a leaf for {@code names} valid for the given window, clipped to the CA's own validity. */
    public ForgedCertificate forge(CertificateNames names, Instant notBefore, Instant notAfter) {
        Objects.requireNonNull(names, "names");
        if (names.isEmpty()) {
            throw new IllegalArgumentException("names: a forged certificate needs at least one DNS name or IP"
                    + " address, got " + names);
        }
        X509Certificate caCert = ca.certificate();
        // Truncated as X.509 will encode them, so the emptiness check sees the real window.
        Instant from = max(notBefore, caCert.getNotBefore().toInstant()).truncatedTo(ChronoUnit.SECONDS);
        Instant until = min(notAfter, caCert.getNotAfter().toInstant()).truncatedTo(ChronoUnit.SECONDS);
        if (!from.isBefore(until)) {
            throw new IllegalArgumentException("validity: [" + notBefore + ", " + notAfter + "] does not overlap the CA's ["
                    + caCert.getNotBefore().toInstant() + ", " + caCert.getNotAfter().toInstant() + "] for " + names);
        }
        LeafKeyPair key = leafKey.get(); // read once: a concurrent rotation must not mix two keys
        X509Certificate leaf = Certificates.sign(builder(names, from, until, key), ca.privateKey(),
                ca.signatureAlgorithm());
        return new ForgedCertificate(leaf, key.privateKey(), List.of(leaf, caCert));
    }

    private X509v3CertificateBuilder builder(CertificateNames names, Instant from, Instant until, LeafKeyPair key) {
        String cn = commonName(names);
        // Without a subject the SAN must be critical (RFC 5280 4.2.1.6).
        X500Name subject = cn == null ? new X500Name(new RDN[0])
                : new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, Certificates.randomSerial(),
                Certificates.toDate(from), Certificates.toDate(until), subject, key.publicKey());
        try {
            builder.addExtension(Extension.subjectAlternativeName, cn == null, subjectAltNames(names));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            // A new JcaX509ExtensionUtils per call: its SHA-1 digest calculator is not thread-safe.
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key.publicKey()));
            builder.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier);
        } catch (CertIOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot build extensions of a leaf certificate for " + names, e);
        }
        return builder;
    }

    /** The display name if it fits in a CN, else any name that does, else none. */
    private static String commonName(CertificateNames names) {
        String preferred = names.displayName();
        if (preferred != null && preferred.length() <= MAX_COMMON_NAME_LENGTH) {
            return preferred;
        }
        List<String> all = new ArrayList<>(names.dnsNames());
        all.addAll(names.ipAddresses());
        return all.stream().filter(n -> n.length() <= MAX_COMMON_NAME_LENGTH).findFirst().orElse(null);
    }

    private static GeneralNames subjectAltNames(CertificateNames names) {
        List<GeneralName> sans = new ArrayList<>();
        for (String dns : names.dnsNames()) {
            sans.add(new GeneralName(GeneralName.dNSName, dns));
        }
        for (String ip : names.ipAddresses()) {
            byte[] address = IpLiterals.address(ip).orElseThrow().getAddress();
            sans.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(address)));
        }
        return new GeneralNames(sans.toArray(GeneralName[]::new));
    }

    /**
     * Copies the CA's own subjectKeyIdentifier when it has one: clients match AKI against that exact
     * value, and a CA imported from elsewhere may not use the SHA-1 method we would compute.
     */
    private static AuthorityKeyIdentifier authorityKeyIdentifier(X509Certificate caCert) {
        byte[] extension = caCert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (extension != null) {
            byte[] ski = ASN1OctetString.getInstance(ASN1OctetString.getInstance(extension).getOctets()).getOctets();
            return new AuthorityKeyIdentifier(ski);
        }
        try {
            return new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(caCert.getPublicKey());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1 for key identifiers", e);
        }
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
