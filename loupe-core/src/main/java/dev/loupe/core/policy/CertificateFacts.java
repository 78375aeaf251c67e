package dev.loupe.core.policy;

import dev.loupe.core.trust.HostnameMatcher;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What rules may look at in the upstream leaf certificate.
 *
 * <p>{@code subject} and {@code issuer} are distinguished names in RFC 2253 text
 * ({@code CN=www.bank.example,O=Bank,C=US}). {@code sans} are typed entries as produced by
 * {@link HostnameMatcher#describeNames}: {@code "DNS:www.bank.example"} or {@code "IP:192.0.2.1"};
 * an entry without a type prefix is taken as a DNS name. Rules match the name part only, so a
 * {@code cert-sans} pattern is written {@code *.bank.example}, never {@code DNS:*.bank.example}.
 */
public record CertificateFacts(String subject, String issuer, List<String> sans) {

    public CertificateFacts {
        subject = Objects.requireNonNullElse(subject, "");
        issuer = Objects.requireNonNullElse(issuer, "");
        sans = sans == null ? List.of() : List.copyOf(sans);
    }

    /** The facts of an upstream leaf certificate. */
    public static CertificateFacts of(X509Certificate leaf) {
        return new CertificateFacts(leaf.getSubjectX500Principal().getName(),
                leaf.getIssuerX500Principal().getName(), HostnameMatcher.describeNames(leaf));
    }

    /** The name part of a SAN entry: {@code "DNS:a.example"} and {@code "a.example"} both give {@code a.example}. */
    static String sanName(String entry) {
        if (entry.regionMatches(true, 0, "DNS:", 0, 4)) {
            return entry.substring(4);
        }
        if (entry.regionMatches(true, 0, "IP:", 0, 3)) {
            return entry.substring(3);
        }
        return entry;
    }
}
