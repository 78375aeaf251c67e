package dev.loupe.core.pki;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/** Loupe's signing CA: a CA certificate and its private key, checked to belong together. Immutable. */
public final class CertificateAuthority {
    private static final int KEY_CERT_SIGN = 5;
    private static final byte[] KEY_CHECK_MESSAGE = "loupe CA key check".getBytes(StandardCharsets.US_ASCII);

    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final String signatureAlgorithm;
    private final String sha256Fingerprint;

    private CertificateAuthority(X509Certificate certificate, PrivateKey privateKey, String signatureAlgorithm) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.signatureAlgorithm = signatureAlgorithm;
        this.sha256Fingerprint = fingerprint(Certificates.encoded(certificate));
    }

    /** A new self-signed CA valid from an hour ago (tolerates client clock skew) for ten years. */
    public static CertificateAuthority generate(KeyType type, String commonName, Clock clock) {
        if (commonName == null || commonName.isBlank()) {
            throw new IllegalArgumentException("commonName: must not be blank, got '" + commonName + "'");
        }
        KeyPair keyPair = type.generateKeyPair();
        Instant now = clock.instant();
        Instant notAfter = now.atOffset(ZoneOffset.UTC).plusYears(10).toInstant();
        // Encoded O first, CN last, so the JDK renders it as "CN=<name>, O=Loupe".
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Loupe").addRDN(BCStyle.CN, commonName).build();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, Certificates.randomSerial(),
                Certificates.toDate(now.minus(Duration.ofHours(1))), Certificates.toDate(notAfter),
                subject, keyPair.getPublic());
        try {
            // pathLen 0: this CA signs leaves only, so a leaked leaf key can never act as a CA.
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keyPair.getPublic()));
        } catch (CertIOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot build CA certificate extensions", e);
        }
        X509Certificate cert = Certificates.sign(builder, keyPair.getPrivate(), type.signatureAlgorithm());
        return new CertificateAuthority(cert, keyPair.getPrivate(), type.signatureAlgorithm());
    }

    /**
     * Wraps an existing CA (e.g. one the operator already distributed to clients) after checking it
     * can issue certificates and that the key really is the certificate's key: a mismatch would
     * otherwise surface much later as every client rejecting every forged certificate.
     */
    public static CertificateAuthority of(X509Certificate certificate, PrivateKey privateKey) {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
        String subject = certificate.getSubjectX500Principal().getName();
        if (certificate.getBasicConstraints() < 0) {
            throw new IllegalArgumentException("certificate '" + subject
                    + "' is not a CA: its basicConstraints extension is missing or has CA=false");
        }
        boolean[] keyUsage = certificate.getKeyUsage();
        if (keyUsage != null && (keyUsage.length <= KEY_CERT_SIGN || !keyUsage[KEY_CERT_SIGN])) {
            throw new IllegalArgumentException("certificate '" + subject
                    + "' may not sign certificates: its keyUsage extension lacks keyCertSign");
        }
        String algorithm = signatureAlgorithmFor(privateKey);
        requireMatchingKey(certificate, privateKey, algorithm);
        return new CertificateAuthority(certificate, privateKey, algorithm);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public String certificatePem() {
        return Pem.encode(certificate);
    }

    public byte[] certificateDer() {
        return Certificates.encoded(certificate);
    }

    /** Upper-case hex with colons, as browsers and {@code openssl x509 -fingerprint -sha256} show it. */
    public String sha256Fingerprint() {
        return sha256Fingerprint;
    }

    /** "SHA256withECDSA" or "SHA256withRSA", chosen from the CA key's algorithm. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    @Override
    public String toString() {
        return "CertificateAuthority[" + certificate.getSubjectX500Principal().getName()
                + ", sha256=" + sha256Fingerprint + "]";
    }

    private static String signatureAlgorithmFor(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "EC" -> KeyType.EC_P256.signatureAlgorithm();
            case "RSA" -> KeyType.RSA_3072.signatureAlgorithm();
            default -> throw new IllegalArgumentException("CA private key algorithm '" + key.getAlgorithm()
                    + "' is not supported; use an EC or RSA key");
        };
    }

    private static void requireMatchingKey(X509Certificate certificate, PrivateKey key, String algorithm) {
        String certAlgorithm = certificate.getPublicKey().getAlgorithm();
        boolean matches = certAlgorithm.equals(key.getAlgorithm());
        try {
            if (matches) {
                Signature signer = Signature.getInstance(algorithm);
                signer.initSign(key);
                signer.update(KEY_CHECK_MESSAGE);
                Signature verifier = Signature.getInstance(algorithm);
                verifier.initVerify(certificate.getPublicKey());
                verifier.update(KEY_CHECK_MESSAGE);
                matches = verifier.verify(signer.sign());
            }
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new IllegalArgumentException("private key (" + key.getAlgorithm() + ") does not match the public key ("
                    + certAlgorithm + ") of certificate '" + certificate.getSubjectX500Principal().getName() + "'");
        }
    }

    private static String fingerprint(byte[] der) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(der);
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
