package dev.loupe.core.trust;

import dev.loupe.core.trust.CertificateVerdict.Untrusted;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Explains why PKIX path building failed. The JDK builder only says "unable to find valid
 * certification path", so we retrace the sent chain ourselves to name the actual problem.
 */
final class PathFailureDiagnosis {

    private final List<X509Certificate> chain;
    private final TrustAnchors anchors;
    private final Instant now;
    private final Evaluation.Window window;

    PathFailureDiagnosis(List<X509Certificate> chain, TrustAnchors anchors, Instant now, Evaluation.Window window) {
        this.chain = chain;
        this.anchors = anchors;
        this.now = now;
        this.window = window;
    }

    /** @param builderMessage the PKIX failure, reported when no more specific reason is found */
    Untrusted diagnose(String builderMessage) {
        X509Certificate leaf = chain.get(0);
        if (CertificateFacts.isSelfSigned(leaf)) {
            return new Untrusted(CertificateProblem.SELF_SIGNED,
                    "certificate " + CertificateFacts.name(leaf) + " is self-signed and not a trusted root");
        }
        List<X509Certificate> linked = linkedPath(leaf);
        Optional<Untrusted> intermediateTime = intermediateValidity(linked);
        if (intermediateTime.isPresent()) {
            return intermediateTime.get();
        }
        X509Certificate top = linked.get(linked.size() - 1);
        if (anchorIssuing(top).isPresent()) {
            // The sent chain does reach an anchor, so PKIX objected to something else
            // (constraints, path length, an algorithm the JDK disables...).
            return new Untrusted(CertificateProblem.INVALID_CHAIN, builderMessage);
        }
        if (CertificateFacts.isSelfSigned(top)) {
            return new Untrusted(CertificateProblem.UNTRUSTED_ROOT,
                    "chain ends at root " + CertificateFacts.name(top) + ", which is not a trusted root");
        }
        return missingOrForgedIssuer(top);
    }

    /** The leaf followed by each sent certificate that verifiably issued the previous one. */
    private List<X509Certificate> linkedPath(X509Certificate leaf) {
        List<X509Certificate> path = new ArrayList<>(List.of(leaf));
        X509Certificate current = leaf;
        while (anchorIssuing(current).isEmpty() && !CertificateFacts.isSelfSigned(current)) {
            Optional<X509Certificate> issuer = sentIssuerOf(current, path);
            if (issuer.isEmpty()) {
                break;
            }
            current = issuer.get();
            path.add(current);
        }
        return path;
    }

    private Optional<X509Certificate> sentIssuerOf(X509Certificate cert, List<X509Certificate> exclude) {
        return chain.stream()
                .filter(candidate -> !exclude.contains(candidate))
                .filter(candidate -> CertificateFacts.issued(candidate, cert))
                .findFirst();
    }

    private Optional<TrustAnchor> anchorIssuing(X509Certificate cert) {
        return anchors.anchors().stream()
                .filter(anchor -> CertificateFacts.issued(anchor.getTrustedCert(), cert))
                .findFirst();
    }

    /** Expired intermediates are the most common cause after the leaf itself; name the culprit. */
    private Optional<Untrusted> intermediateValidity(List<X509Certificate> linked) {
        for (X509Certificate cert : linked.subList(1, linked.size())) {
            if (CertificateFacts.isSelfSigned(cert)) {
                continue; // an untrusted root's dates are irrelevant: it is rejected anyway
            }
            window.observe(cert);
            String label = "intermediate " + CertificateFacts.name(cert) + ": ";
            Optional<Untrusted> problem = CertificateFacts.validityProblem(cert, now, label);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    /** The top cert's issuer is absent, or present by name with a key that did not sign it. */
    private Untrusted missingOrForgedIssuer(X509Certificate top) {
        String issuerName = top.getIssuerX500Principal().getName();
        boolean namedIssuerPresent = chain.stream()
                .anyMatch(c -> c.getSubjectX500Principal().equals(top.getIssuerX500Principal()))
                || anchors.anchors().stream().anyMatch(a ->
                        a.getTrustedCert().getSubjectX500Principal().equals(top.getIssuerX500Principal()));
        if (namedIssuerPresent) {
            return new Untrusted(CertificateProblem.INVALID_CHAIN, "signature of certificate "
                    + CertificateFacts.name(top) + " does not verify with the key of its issuer " + issuerName);
        }
        return new Untrusted(CertificateProblem.INCOMPLETE_CHAIN, "issuer " + issuerName + " of certificate "
                + CertificateFacts.name(top) + " was not sent and is not a trusted root");
    }
}
