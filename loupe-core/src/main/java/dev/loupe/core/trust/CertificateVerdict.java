package dev.loupe.core.trust;

import java.util.Objects;

/** Outcome of validating an upstream chain: trusted, or untrusted with one precisely named problem. */
public sealed interface CertificateVerdict permits CertificateVerdict.Trusted, CertificateVerdict.Untrusted {

    /** The only trusted verdict; it carries no data, so one instance suffices. */
    Trusted TRUSTED = new Trusted();

    /** True when the gateway may forward application data to the upstream server. */
    default boolean trusted() {
        return this instanceof Trusted;
    }

    /** The chain builds to a trust anchor and is acceptable for the requested host. */
    record Trusted() implements CertificateVerdict {}

    /**
     * The chain is rejected.
     *
     * @param problem the first (most specific) problem found
     * @param detail  specifics for operators, e.g. the dates or names involved
     */
    record Untrusted(CertificateProblem problem, String detail) implements CertificateVerdict {
        public Untrusted {
            Objects.requireNonNull(problem, "problem");
            detail = detail == null ? "" : detail;
        }
    }
}
