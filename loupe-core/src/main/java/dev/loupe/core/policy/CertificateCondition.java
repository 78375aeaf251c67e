package dev.loupe.core.policy;

import java.util.List;

/**
 * Conditions on the upstream leaf certificate. They run only in the second call of
 * {@link DecryptPolicy#decide}, after the gateway's upstream handshake, so clarity wins over avoiding
 * the few allocations (CN extraction, SAN prefix removal) here.
 */
sealed interface CertificateCondition extends Condition
        permits CertificateCondition.Subject, CertificateCondition.Issuer, CertificateCondition.San {

    /** A distinguished name matches when the pattern matches its whole text or its CN value. */
    static NamePattern matchDn(NamePattern[] patterns, String dn) {
        NamePattern p = Condition.firstMatch(patterns, dn);
        String cn = p == null ? DistinguishedNames.commonName(dn) : null;
        return cn == null ? p : Condition.firstMatch(patterns, cn);
    }

    record Subject(NamePattern[] patterns) implements CertificateCondition {
        @Override
        public boolean matches(ConnectionFacts facts) {
            return facts.certificate() != null && matchDn(patterns, facts.certificate().subject()) != null;
        }

        @Override
        public String explain(ConnectionFacts facts) {
            String dn = facts.certificate().subject();
            return "certificate subject " + dn + " matched " + matchDn(patterns, dn).source();
        }
    }

    record Issuer(NamePattern[] patterns) implements CertificateCondition {
        @Override
        public boolean matches(ConnectionFacts facts) {
            return facts.certificate() != null && matchDn(patterns, facts.certificate().issuer()) != null;
        }

        @Override
        public String explain(ConnectionFacts facts) {
            String dn = facts.certificate().issuer();
            return "certificate issuer " + dn + " matched " + matchDn(patterns, dn).source();
        }
    }

    record San(NamePattern[] patterns) implements CertificateCondition {
        @Override
        public boolean matches(ConnectionFacts facts) {
            return facts.certificate() != null && firstSan(facts.certificate().sans()) != null;
        }

        @Override
        public String explain(ConnectionFacts facts) {
            String san = firstSan(facts.certificate().sans());
            return "certificate SAN " + san + " matched "
                    + Condition.firstMatch(patterns, CertificateFacts.sanName(san)).source();
        }

        private String firstSan(List<String> sans) {
            for (String san : sans) {
                if (Condition.firstMatch(patterns, CertificateFacts.sanName(san)) != null) {
                    return san;
                }
            }
            return null;
        }
    }
}
