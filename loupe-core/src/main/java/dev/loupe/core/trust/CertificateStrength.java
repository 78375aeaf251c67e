package dev.loupe.core.trust;

import dev.loupe.core.trust.CertificateVerdict.Untrusted;
import java.io.IOException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.DSAKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.cert.X509Certificate;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Key-size and signature-hash checks. They run before PKIX path building because the JDK's
 * jdk.certpath.disabledAlgorithms would otherwise reject such chains with a generic message.
 */
final class CertificateStrength {

    static final int MIN_RSA_BITS = 2048;
    static final int MIN_EC_BITS = 256;

    /** Hash names (upper case, dashes removed) considered broken for certificate signatures. */
    private static final Set<String> WEAK_HASHES = Set.of("MD2", "MD4", "MD5", "SHA", "SHA1");

    /** OIDs of SHA-1/MD-x signature algorithms, for providers that report an OID as the name. */
    private static final Set<String> WEAK_SIGNATURE_OIDS = Set.of(
            "1.2.840.113549.1.1.2", "1.2.840.113549.1.1.3", "1.2.840.113549.1.1.4",
            "1.2.840.113549.1.1.5", "1.3.14.3.2.29", "1.2.840.10045.4.1",
            "1.2.840.10040.4.3", "1.3.14.3.2.27");

    private static final String RSASSA_PSS_OID = "1.2.840.113549.1.1.10";

    private CertificateStrength() {}

    /** First sent certificate (anchors exempt: their keys are trusted by configuration) with a weak key. */
    static Optional<Untrusted> weakKey(List<X509Certificate> chain, TrustAnchors anchors) {
        for (X509Certificate cert : chain) {
            if (anchors.isAnchor(cert)) {
                continue;
            }
            Optional<String> weakness = keyWeakness(cert.getPublicKey());
            if (weakness.isPresent()) {
                return Optional.of(new Untrusted(CertificateProblem.WEAK_KEY,
                        weakness.get() + " in certificate " + CertificateFacts.name(cert)));
            }
        }
        return Optional.empty();
    }

    /** First sent certificate whose signature relies on MD2/MD4/MD5/SHA-1. */
    static Optional<Untrusted> weakSignature(List<X509Certificate> chain, TrustAnchors anchors) {
        for (X509Certificate cert : chain) {
            // A root's self-signature and an anchor's signature are never relied upon by PKIX.
            if (anchors.isAnchor(cert) || CertificateFacts.isSelfSigned(cert) || !hasWeakSignature(cert)) {
                continue;
            }
            return Optional.of(new Untrusted(CertificateProblem.WEAK_SIGNATURE,
                    cert.getSigAlgName() + " signature on certificate " + CertificateFacts.name(cert)));
        }
        return Optional.empty();
    }

    static Optional<String> keyWeakness(PublicKey key) {
        if (key instanceof DSAKey dsa) {
            // No browser accepts DSA in TLS certificates any more, whatever the size.
            int bits = dsa.getParams() == null ? 0 : dsa.getParams().getP().bitLength();
            return Optional.of("DSA " + bits + "-bit key");
        }
        if (key instanceof RSAKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            return Optional.of("RSA " + rsa.getModulus().bitLength() + "-bit key");
        }
        if (key instanceof ECKey ec && ec.getParams().getOrder().bitLength() < MIN_EC_BITS) {
            return Optional.of("EC " + ec.getParams().getOrder().bitLength() + "-bit key");
        }
        return Optional.empty();
    }

    static boolean hasWeakSignature(X509Certificate cert) {
        if (WEAK_SIGNATURE_OIDS.contains(cert.getSigAlgOID())) {
            return true;
        }
        if (RSASSA_PSS_OID.equals(cert.getSigAlgOID())) {
            return pssDigest(cert.getSigAlgParams()).map(CertificateStrength::isWeakHash).orElse(false);
        }
        return isWeakSignatureAlgorithm(cert.getSigAlgName());
    }

    /**
     * Compares the hash part of a JCA name ("SHA1withRSA" -> "SHA1") exactly rather than by
     * substring, so "SHA1" never matches inside "SHA512" or "SHA3-1..." style names.
     */
    static boolean isWeakSignatureAlgorithm(String sigAlgName) {
        if (sigAlgName == null) {
            return false;
        }
        String upper = sigAlgName.toUpperCase(Locale.ROOT);
        int with = upper.indexOf("WITH");
        return with > 0 && isWeakHash(upper.substring(0, with));
    }

    static boolean isWeakHash(String hashName) {
        return WEAK_HASHES.contains(hashName.toUpperCase(Locale.ROOT).replace("-", "").replace("_", ""));
    }

    private static Optional<String> pssDigest(byte[] encodedParams) {
        if (encodedParams == null) {
            return Optional.of("SHA-1"); // RFC 4055: absent RSASSA-PSS parameters default to SHA-1
        }
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("RSASSA-PSS");
            params.init(encodedParams);
            return Optional.of(params.getParameterSpec(PSSParameterSpec.class).getDigestAlgorithm());
        } catch (GeneralSecurityException | IOException e) {
            return Optional.empty(); // unparseable parameters: PKIX will reject it as INVALID_CHAIN
        }
    }
}
