package dev.loupe.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Function;

/** A {@link PolicyRule} turned into condition arrays, scanned by {@link DecryptPolicy} per connection. */
final class CompiledRule {
    private final String name;
    private final Action action;
    private final Condition[] connectionConditions;
    private final Condition[] certificateConditions;

    private CompiledRule(String name, Action action, List<Condition> connection, List<Condition> certificate) {
        this.name = name;
        this.action = action;
        this.connectionConditions = connection.toArray(Condition[]::new);
        this.certificateConditions = certificate.toArray(Condition[]::new);
    }

    /** Conditions keep the record's order, so verdict reasons read like the configuration. */
    static CompiledRule compile(PolicyRule rule, CategoryList categories) {
        String n = rule.name();
        List<Condition> connection = new ArrayList<>();
        add(connection, RuleParts.patterns("hosts", rule.hosts(), n, NamePattern.Syntax.HOST), Condition.Host::new);
        add(connection, RuleParts.networks("clients", rule.clients(), n),
                networks -> new Condition.Network("client", false, networks));
        add(connection, RuleParts.networks("destinations", rule.destinations(), n),
                networks -> new Condition.Network("destination", true, networks));
        add(connection, RuleParts.ports("ports", rule.ports(), n), Condition.Port::new);
        add(connection, RuleParts.names("alpn", rule.alpn(), n, false), Condition.Alpn::new);
        add(connection, RuleParts.names("listeners", rule.listeners(), n, false), Condition.Listener::new);
        add(connection, RuleParts.names("categories", rule.categories(), n, true),
                wanted -> new Condition.Category(wanted, categories));
        add(connection, RuleParts.fingerprints("ja3", rule.ja3(), n, Fingerprints.Kind.JA3),
                wanted -> new Condition.Fingerprint("ja3", ConnectionFacts::ja3, wanted));
        add(connection, RuleParts.fingerprints("ja4", rule.ja4(), n, Fingerprints.Kind.JA4),
                wanted -> new Condition.Fingerprint("ja4", ConnectionFacts::ja4, wanted));
        List<Condition> certificate = new ArrayList<>();
        add(certificate, RuleParts.patterns("cert-subjects", rule.certSubjects(), n, NamePattern.Syntax.TEXT),
                CertificateCondition.Subject::new);
        add(certificate, RuleParts.patterns("cert-issuers", rule.certIssuers(), n, NamePattern.Syntax.TEXT),
                CertificateCondition.Issuer::new);
        add(certificate, RuleParts.patterns("cert-sans", rule.certSans(), n, NamePattern.Syntax.HOST),
                CertificateCondition.San::new);
        return new CompiledRule(n, rule.parsedAction(), connection, certificate);
    }

    private static <T> void add(List<Condition> to, T values, Function<T, Condition> make) {
        if (values != null) {
            to.add(make.apply(values));
        }
    }

    String name() {
        return name;
    }

    boolean needsCertificate() {
        return certificateConditions.length > 0;
    }

    boolean matchesConnection(ConnectionFacts facts) {
        return allMatch(connectionConditions, facts);
    }

    /** Only meaningful once {@code facts} carry a certificate. */
    boolean matchesCertificate(ConnectionFacts facts) {
        return allMatch(certificateConditions, facts);
    }

    private static boolean allMatch(Condition[] conditions, ConnectionFacts facts) {
        for (Condition c : conditions) {
            if (!c.matches(facts)) {
                return false;
            }
        }
        return true;
    }

    /** The verdict, naming every condition that matched; called only when all of them did. */
    Verdict verdict(ConnectionFacts facts) {
        StringJoiner reason = new StringJoiner("; ");
        for (Condition c : connectionConditions) {
            reason.add(c.explain(facts));
        }
        for (Condition c : certificateConditions) {
            reason.add(c.explain(facts));
        }
        String text = reason.length() == 0 ? "rule has no conditions" : reason.toString();
        return Verdict.of(action, name, text);
    }
}
