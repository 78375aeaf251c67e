package dev.loupe.core.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Small certificate helpers shared by CA generation and forging. */
final class Certificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates() {
    }

    /**
     * A random positive 127-bit serial. Unpredictable serials are what CA/B rules require, and 127
     * bits keep the DER INTEGER within 16 bytes (no leading sign byte), well under RFC 5280's 20.
     */
    static BigInteger randomSerial() {
        BigInteger serial;
        do {
            serial = new BigInteger(127, RANDOM);
        } while (serial.signum() == 0);
        return serial;
    }

    /**
     * Signs with the JDK's providers (JcaContentSignerBuilder without setProvider) and parses the
     * result with the JDK's CertificateFactory, so no BouncyCastle provider needs to be installed.
     */
    static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key, String signatureAlgorithm) {
        try {
            // A ContentSigner holds a stateful Signature, so each certificate gets its own.
            ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm).build(key);
            return fromDer(builder.build(signer).getEncoded());
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot sign certificate with " + signatureAlgorithm, e);
        }
    }

    static X509Certificate fromDer(byte[] der) {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a valid X.509 certificate: " + e.getMessage(), e);
        }
    }

    /** The subject exactly as encoded, so an issuer name built from it chains byte-for-byte. */
    static X500Name subjectOf(X509Certificate cert) {
        return X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    }

    /** X.509 times have second precision; truncating here keeps the encoded value and our checks equal. */
    static Date toDate(Instant instant) {
        return Date.from(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    static byte[] encoded(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode certificate " + cert.getSubjectX500Principal(), e);
        }
    }
}
