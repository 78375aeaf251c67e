package dev.loupe.core.trust;

import dev.loupe.core.trust.CertificateVerdict.Untrusted;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether an upstream server's chain is acceptable for the host the client asked for,
 * reporting the first problem in a fixed order so the most specific reason reaches the client.
 */
public final class UpstreamCertificateValidator {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

    private final TrustAnchors anchors;
    private final Clock clock;

    public UpstreamCertificateValidator(TrustAnchors anchors, Clock clock) {
        this.anchors = Objects.requireNonNull(anchors, "anchors");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param chain the certificates as sent by the server, leaf first, the rest in any order
     * @param host  the SNI or CONNECT host the client asked for
     */
    public CertificateVerdict validate(List<X509Certificate> chain, String host) {
        return evaluate(chain, host).verdict();
    }

    /** The verdict together with the time interval in which it remains correct (for caching). */
    Evaluation evaluate(List<X509Certificate> chain, String host) {
        if (chain == null || chain.isEmpty()) {
            return Evaluation.timeless(new Untrusted(CertificateProblem.NO_CERTIFICATE, "the server sent no certificate"));
        }
        // Key and hash checks first: the JDK's disabledAlgorithms would hide them behind a vague error.
        Optional<Untrusted> weak = CertificateStrength.weakKey(chain, anchors)
                .or(() -> CertificateStrength.weakSignature(chain, anchors));
        if (weak.isPresent()) {
            return Evaluation.timeless(weak.get());
        }
        Instant now = clock.instant();
        Evaluation.Window window = new Evaluation.Window(now);
        X509Certificate leaf = chain.get(0);
        window.observe(leaf);
        Optional<Untrusted> problem = CertificateFacts.validityProblem(leaf, now, "")
                .or(() -> buildPath(chain, now, window))
                .or(() -> serverAuthProblem(leaf))
                .or(() -> hostProblem(leaf, host));
        return window.close(problem.<CertificateVerdict>map(p -> p).orElse(CertificateVerdict.TRUSTED));
    }

    /** PKIX path building to the anchors; revocation is out of scope (no network from here). */
    private Optional<Untrusted> buildPath(List<X509Certificate> chain, Instant now, Evaluation.Window window) {
        PathFailureDiagnosis diagnosis = new PathFailureDiagnosis(chain, anchors, now, window);
        if (anchors.size() == 0) {
            return Optional.of(diagnosis.diagnose("no trust anchors are configured"));
        }
        try {
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(chain.get(0));
            PKIXBuilderParameters params = new PKIXBuilderParameters(anchors.anchors(), target);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(now));
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(chain)));
            PKIXCertPathBuilderResult result =
                    (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
            for (Certificate cert : result.getCertPath().getCertificates()) {
                window.observe((X509Certificate) cert); // the verdict holds while the path stays valid
            }
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            return Optional.of(diagnosis.diagnose(String.valueOf(e.getMessage())));
        }
    }

    /** Browsers require serverAuth (or any) EKU when EKU is present, and refuse CA certs as leaves. */
    private Optional<Untrusted> serverAuthProblem(X509Certificate leaf) {
        List<String> eku;
        try {
            eku = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            return Optional.of(new Untrusted(CertificateProblem.INVALID_CHAIN,
                    "unparseable extended key usage in certificate " + CertificateFacts.name(leaf)));
        }
        if (eku != null && !eku.contains(SERVER_AUTH) && !eku.contains(ANY_EXTENDED_KEY_USAGE)) {
            return Optional.of(new Untrusted(CertificateProblem.NOT_FOR_SERVER_AUTH, "extended key usage "
                    + eku + " of certificate " + CertificateFacts.name(leaf) + " does not include serverAuth"));
        }
        // A directly pinned anchor (typical self-signed internal server, often CA:TRUE) is exempt.
        if (leaf.getBasicConstraints() >= 0 && !anchors.isAnchor(leaf)) {
            return Optional.of(new Untrusted(CertificateProblem.NOT_FOR_SERVER_AUTH,
                    "certificate " + CertificateFacts.name(leaf) + " is a CA certificate, not a server certificate"));
        }
        return Optional.empty();
    }

    private static Optional<Untrusted> hostProblem(X509Certificate leaf, String host) {
        if (HostnameMatcher.matches(leaf, host)) {
            return Optional.empty();
        }
        return Optional.of(new Untrusted(CertificateProblem.HOSTNAME_MISMATCH,
                "host '" + host + "' not in " + HostnameMatcher.describeNames(leaf)));
    }
}
