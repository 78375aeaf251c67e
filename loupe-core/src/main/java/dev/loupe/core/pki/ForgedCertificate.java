package dev.loupe.core.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/** A leaf certificate minted by Loupe, its private key, and the chain to present: [leaf, CA]. */
public record ForgedCertificate(X509Certificate certificate, PrivateKey privateKey, List<X509Certificate> chain) {
    public ForgedCertificate {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
        chain = List.copyOf(chain);
    }
}
