package dev.loupe.core.policy;

import java.util.Objects;

/**
 * The answer of {@link DecryptPolicy#decide}: either final, or a request to come back once the
 * upstream certificate is known (only when the first applicable rule has certificate conditions).
 */
public sealed interface PolicyDecision permits PolicyDecision.Decided, PolicyDecision.NeedsCertificate {

    record Decided(Verdict verdict) implements PolicyDecision {
        public Decided {
            Objects.requireNonNull(verdict, "verdict");
        }
    }

    /**
     * Rule {@code rule} applies so far but also looks at the upstream certificate: the gateway
     * completes an upstream TLS handshake, then calls {@code decide} again with
     * {@link ConnectionFacts#withCertificate}.
     */
    record NeedsCertificate(String rule) implements PolicyDecision {
    }
}
