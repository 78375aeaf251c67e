package dev.loupe.core.policy;

import dev.loupe.core.trust.CertificateVerdict;
import java.util.Objects;

/**
 * What runs next on a connection Loupe decrypts, decided in one place at each point where something new is
 * known: the ClientHello (policy, ECH), the origin's handshake (mTLS request, certificate verdict, a rule
 * waiting for the certificate), the client's handshake (ALPN), the first plaintext bytes (HTTP or not). The
 * gateway carries out each answer and asks again at the next point; it decides nothing itself.
 */
public sealed interface DecryptedNext {

    /**
     * Start TLS to the origin, for {@code verdict}; null when a rule must see the origin's certificate
     * before it decides.
     */
    record Intercept(Verdict.Decrypt verdict) implements DecryptedNext {
        public boolean certificateDecides() {
            return verdict == null;
        }
    }

    /** Relay the connection's bytes untouched (a rule, intel, or an automatic bypass said so). */
    record Bypass(Verdict.Bypass verdict) implements DecryptedNext {
        public Bypass {
            Objects.requireNonNull(verdict, "verdict");
        }
    }

    /** Refuse with a TLS alert: nothing else can reach a client before its handshake. */
    record Block(Verdict.Block verdict) implements DecryptedNext {
        public Block {
            Objects.requireNonNull(verdict, "verdict");
        }
    }

    /** The origin asked for a client certificate: it cannot be intercepted, so bypass it (and, for a while, its host). */
    record BypassMutualTls() implements DecryptedNext {
    }

    /** Ask the policy again, now with the origin's certificate. */
    record AskPolicyWithCertificate() implements DecryptedNext {
    }

    /** The origin's certificate failed validation: never masked; a page over a forged certificate, or a close. */
    record RefuseCertificate(CertificateVerdict.Untrusted why, boolean closeOnly) implements DecryptedNext {
        public RefuseCertificate {
            Objects.requireNonNull(why, "why");
        }
    }

    /** The origin's handshake failed: an error page with this status (504 for a timeout, else 502). */
    record OriginHandshakeFailed(int status, String problem) implements DecryptedNext {
        public OriginHandshakeFailed {
            Objects.requireNonNull(problem, "problem");
        }
    }

    /**
     * Finish the client's handshake with a certificate mirroring the origin's, offering it exactly {@code alpn};
     * {@code decided} is the verdict a rule reached just now with the certificate (null when it was known before).
     */
    record Forge(String alpn, Verdict.Decrypt decided) implements DecryptedNext {
        public Forge {
            Objects.requireNonNull(alpn, "alpn");
        }
    }

    /** Both sides agreed on h2: one exchange per stream. */
    record Http2() implements DecryptedNext {
    }

    /** HTTP/1: agreed by ALPN, or the first plaintext bytes are a request line. */
    record Http1() implements DecryptedNext {
    }

    /** No protocol agreed: read the client's first bytes (and watch whether the origin speaks first). */
    record Sniff() implements DecryptedNext {
    }

    /** Not HTTP, and a fail-closed service cannot inspect what it cannot parse: close both sides. */
    record RefuseNotHttp(String why) implements DecryptedNext {
        public RefuseNotHttp {
            Objects.requireNonNull(why, "why");
        }
    }

    /** Not HTTP and nothing refuses it: relay the decrypted bytes (the mirror still sees them). */
    record RelayPlaintext(boolean originSpokeFirst) implements DecryptedNext {
    }

    /**
     * The ClientHello is read and the policy has answered. A ClientHello offering ECH has the operator's
     * {@code policy.encrypted-client-hello} action replace a "decrypt" outcome (blocks and bypasses from rules
     * or intel stand): decrypting the outer hello makes a real ECH client fall back to plain TLS, as the ECH
     * specification requires of clients facing a server without ECH.
     */
    static DecryptedNext afterClientHello(PolicyDecision decision, boolean offersEch, Action echAction) {
        return switch (decision) {
            case PolicyDecision.NeedsCertificate needs -> new Intercept(null);
            case PolicyDecision.Decided(Verdict.Decrypt d) when offersEch && echAction != Action.DECRYPT ->
                    fromVerdict(Verdict.of(echAction, "encrypted-client-hello",
                            "the ClientHello offers ECH (policy.encrypted-client-hello: " + echAction.configName()
                                    + ")"), null);
            case PolicyDecision.Decided(Verdict.Decrypt d) -> new Intercept(d);
            case PolicyDecision.Decided(Verdict verdict) -> fromVerdict(verdict, null);
        };
    }

    /**
     * The origin's handshake finished. An mTLS request wins (nothing else can work); then the certificate's
     * verdict; then a rule that was waiting for the certificate; then the client is offered the origin's ALPN.
     */
    static DecryptedNext afterOriginHandshake(boolean clientCertificateRequested, CertificateVerdict verdict,
                                              boolean certificateDecides, boolean closeOnUntrusted,
                                              String originAlpn) {
        if (clientCertificateRequested) {
            return new BypassMutualTls();
        }
        if (verdict instanceof CertificateVerdict.Untrusted untrusted) {
            return new RefuseCertificate(untrusted, closeOnUntrusted);
        }
        if (certificateDecides) {
            return new AskPolicyWithCertificate();
        }
        return forge(originAlpn, null);
    }

    /** The origin's handshake failed; an mTLS request seen before the failure still means bypass. */
    static DecryptedNext afterOriginFailure(boolean clientCertificateRequested, boolean timedOut, String problem) {
        return clientCertificateRequested ? new BypassMutualTls()
                : new OriginHandshakeFailed(timedOut ? 504 : 502, problem);
    }

    /** The policy's answer with the certificate known; still undecided cannot happen and is refused. */
    static DecryptedNext afterCertificateDecision(PolicyDecision decision, String originAlpn) {
        if (!(decision instanceof PolicyDecision.Decided(Verdict verdict))) {
            return new Block(new Verdict.Block("internal", "policy undecided even with the certificate"));
        }
        return fromVerdict(verdict, verdict instanceof Verdict.Decrypt d ? forge(originAlpn, d) : null);
    }

    /** The client's handshake finished with the forged certificate. */
    static DecryptedNext afterClientHandshake(String alpn) {
        if ("h2".equals(alpn)) {
            return new Http2();
        }
        return "http/1.1".equals(alpn) ? new Http1() : new Sniff();
    }

    /**
     * The first plaintext bytes decided (or the sniff timed out, {@code clientLooksLikeHttp} false). A
     * request line wins unless the origin spoke first; {@code refusal} is why a fail-closed service refuses
     * streams it cannot inspect, if one does.
     */
    static DecryptedNext afterFirstBytes(boolean clientLooksLikeHttp, boolean originSpokeFirst, String refusal) {
        if (clientLooksLikeHttp && !originSpokeFirst) {
            return new Http1();
        }
        return refusal != null ? new RefuseNotHttp(refusal) : new RelayPlaintext(originSpokeFirst);
    }

    private static DecryptedNext fromVerdict(Verdict verdict, DecryptedNext onDecrypt) {
        return switch (verdict) {
            case Verdict.Decrypt d -> Objects.requireNonNull(onDecrypt, "onDecrypt");
            case Verdict.Bypass b -> new Bypass(b);
            case Verdict.Block b -> new Block(b);
        };
    }

    /** Loupe inspects h2 and HTTP/1.1 only; anything else the origin chose reaches the client as http/1.1. */
    private static Forge forge(String originAlpn, Verdict.Decrypt decided) {
        return new Forge("h2".equals(originAlpn) ? "h2" : "http/1.1", decided);
    }
}
