package dev.loupe.core.trust;

import dev.loupe.core.trust.CertificateVerdict.Untrusted;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/** Small facts about single certificates shared by the validation steps. */
final class CertificateFacts {

    private CertificateFacts() {}

    /** RFC 2253 subject, the form operators recognise from openssl output. */
    static String name(X509Certificate cert) {
        String name = cert.getSubjectX500Principal().getName();
        return name.isEmpty() ? "(empty subject)" : name;
    }

    static byte[] encoded(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (CertificateEncodingException e) {
            // A certificate we already parsed can always be re-encoded; failing means a broken provider.
            throw new IllegalStateException("cannot encode certificate " + name(cert), e);
        }
    }

    /** Verifies the signature only; names are checked separately by callers. */
    static boolean isSignedBy(X509Certificate cert, PublicKey key) {
        try {
            cert.verify(key);
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** Self-issued is not enough: the signature must verify with the certificate's own key. */
    static boolean isSelfSigned(X509Certificate cert) {
        return cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal())
                && isSignedBy(cert, cert.getPublicKey());
    }

    /** True when {@code issuer}'s subject is {@code cert}'s issuer name and its key signed it. */
    static boolean issued(X509Certificate issuer, X509Certificate cert) {
        return issuer.getSubjectX500Principal().equals(cert.getIssuerX500Principal())
                && isSignedBy(cert, issuer.getPublicKey());
    }

    static Instant notBefore(X509Certificate cert) {
        return cert.getNotBefore().toInstant();
    }

    static Instant notAfter(X509Certificate cert) {
        return cert.getNotAfter().toInstant();
    }

    /**
     * EXPIRED / NOT_YET_VALID for {@code cert} at {@code now}; both bounds are inclusive (RFC 5280).
     *
     * @param label prefix naming the certificate in the detail, empty for the leaf
     */
    static Optional<Untrusted> validityProblem(X509Certificate cert, Instant now, String label) {
        if (now.isAfter(notAfter(cert))) {
            return Optional.of(new Untrusted(CertificateProblem.EXPIRED,
                    label + "notAfter " + notAfter(cert) + " is before now " + now));
        }
        if (now.isBefore(notBefore(cert))) {
            return Optional.of(new Untrusted(CertificateProblem.NOT_YET_VALID,
                    label + "notBefore " + notBefore(cert) + " is after now " + now));
        }
        return Optional.empty();
    }
}
