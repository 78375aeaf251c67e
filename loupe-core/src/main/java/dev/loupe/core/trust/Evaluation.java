package dev.loupe.core.trust;

import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * A verdict plus the time interval over which it stays correct. Time only matters through the
 * validity status of the certificates examined, so the verdict holds until one of them changes
 * status (expires or becomes valid). The cache uses this to avoid serving stale verdicts.
 */
record Evaluation(CertificateVerdict verdict, Instant holdsFrom, Instant holdsUntil) {

    /** For verdicts that no passage of time can change (e.g. a weak key). */
    static Evaluation timeless(CertificateVerdict verdict) {
        return new Evaluation(verdict, Instant.MIN, Instant.MAX);
    }

    boolean holdsAt(Instant now) {
        return !now.isBefore(holdsFrom) && !now.isAfter(holdsUntil);
    }

    /** Accumulates the intersection of the "same validity status" intervals of examined certificates. */
    static final class Window {
        private final Instant now;
        private Instant from = Instant.MIN;
        private Instant until = Instant.MAX;

        Window(Instant now) {
            this.now = now;
        }

        void observe(X509Certificate cert) {
            Instant notBefore = CertificateFacts.notBefore(cert);
            Instant notAfter = CertificateFacts.notAfter(cert);
            if (now.isAfter(notAfter)) {
                narrow(notAfter.plusNanos(1), Instant.MAX); // stays expired from now on
            } else if (now.isBefore(notBefore)) {
                narrow(Instant.MIN, notBefore.minusNanos(1)); // not yet valid until notBefore
            } else {
                narrow(notBefore, notAfter);
            }
        }

        private void narrow(Instant start, Instant end) {
            from = start.isAfter(from) ? start : from;
            until = end.isBefore(until) ? end : until;
        }

        Evaluation close(CertificateVerdict verdict) {
            return new Evaluation(verdict, from, until);
        }
    }
}
