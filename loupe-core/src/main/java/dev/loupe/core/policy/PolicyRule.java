package dev.loupe.core.policy;

import dev.loupe.core.config.ConfigException;
import java.util.List;
import java.util.Set;

/**
 * One decrypt-policy rule as written in the configuration (YAML keys in kebab case: {@code name},
 * {@code hosts}, {@code clients}, {@code destinations}, {@code ports}, {@code alpn}, {@code listeners},
 * {@code categories}, {@code cert-subjects}, {@code cert-issuers}, {@code cert-sans}, {@code action}).
 *
 * <p>Every present condition must match (AND); within one list any value may match (OR); a null list
 * means "any". Conditions:
 * <ul>
 *   <li>{@code hosts}: {@link NamePattern} syntax against {@link ConnectionFacts#host()}; a connection
 *       without any host (no SNI, no CONNECT) never matches a hosts condition.</li>
 *   <li>{@code clients}, {@code destinations}: IP addresses or CIDRs; an unresolved destination never
 *       matches a destinations condition.</li>
 *   <li>{@code ports}: destination ports. {@code alpn}: any overlap with what the client offered
 *       (exact, ALPN ids are case-sensitive). {@code listeners}: listener names.</li>
 *   <li>{@code categories}: any category of the host in the {@link CategoryList}.</li>
 *   <li>{@code cert-subjects}, {@code cert-issuers}: patterns against the whole RFC 2253 DN text or its
 *       CN value; {@code cert-sans}: host patterns against the name part of any SAN. These need the
 *       upstream certificate, so such a rule makes the gateway connect upstream first.</li>
 *   <li>{@code ja3}, {@code ja4}: the client's ClientHello fingerprint, exactly (case-insensitive); an entry
 *       {@code file:PATH} reads one fingerprint per line from a file ({@code #} comments). Decided before
 *       decryption, so a known malware client can be blocked before Loupe answers its hello.</li>
 * </ul>
 * {@code services} (not a condition): the chain of inspection services the connections this rule decides go
 * through: ICAP service names, the inline service's name, {@code mirror}. Absent: every configured service;
 * {@code []}: none (decrypted and logged, no tool sees it).
 * Validation failures name the field relative to this record, e.g. {@code hosts[1]}.
 */
public record PolicyRule(
        String name,
        List<String> hosts,
        List<String> clients,
        List<String> destinations,
        List<Integer> ports,
        List<String> alpn,
        List<String> listeners,
        List<String> categories,
        List<String> certSubjects,
        List<String> certIssuers,
        List<String> certSans,
        List<String> ja3,
        List<String> ja4,
        List<String> services,
        String action) {

    /** Verdicts not produced by a rule use these names, so no rule may take them. */
    static final Set<String> RESERVED_NAMES = Set.of(DecryptPolicy.DEFAULT_RULE, AutoBypass.RULE_NAME);

    public PolicyRule {
        if (name == null || name.isBlank()) {
            throw new ConfigException("name", name, "every rule needs a name (it appears in the access log)");
        }
        if (RESERVED_NAMES.contains(name)) {
            throw new ConfigException("name", name, "is reserved for verdicts not made by a rule");
        }
        validateConditions(name, hosts, clients, destinations, ports, alpn, listeners, categories,
                certSubjects, certIssuers, certSans);
        RuleParts.fingerprints("ja3", ja3, name, Fingerprints.Kind.JA3);
        RuleParts.fingerprints("ja4", ja4, name, Fingerprints.Kind.JA4);
        validateAction(name, action);
        hosts = copy(hosts);
        clients = copy(clients);
        destinations = copy(destinations);
        ports = copy(ports);
        alpn = copy(alpn);
        listeners = copy(listeners);
        categories = copy(categories);
        certSubjects = copy(certSubjects);
        certIssuers = copy(certIssuers);
        certSans = copy(certSans);
        ja3 = copy(ja3);
        ja4 = copy(ja4);
        // an empty chain is a choice, not a condition that matches nothing: decrypt (and log) with no service
        if (services != null && !services.isEmpty()) {
            RuleParts.names("services", services, name, false);
        }
        services = copy(services);
    }

    /** True when the rule looks at the upstream certificate (any {@code cert-*} condition). */
    public boolean needsCertificate() {
        return certSubjects != null || certIssuers != null || certSans != null;
    }

    /** The validated {@link #action()}. */
    public Action parsedAction() {
        return Action.fromConfigName("action", action);
    }

    private static void validateConditions(String name, List<String> hosts, List<String> clients,
            List<String> destinations, List<Integer> ports, List<String> alpn, List<String> listeners,
            List<String> categories, List<String> certSubjects, List<String> certIssuers, List<String> certSans) {
        RuleParts.patterns("hosts", hosts, name, NamePattern.Syntax.HOST);
        RuleParts.networks("clients", clients, name);
        RuleParts.networks("destinations", destinations, name);
        RuleParts.ports("ports", ports, name);
        RuleParts.names("alpn", alpn, name, false);
        RuleParts.names("listeners", listeners, name, false);
        String[] wanted = RuleParts.names("categories", categories, name, true);
        for (int i = 0; wanted != null && i < wanted.length; i++) {
            if (!CategoryList.isCategoryName(wanted[i])) {
                throw new ConfigException("categories[" + i + "]", categories.get(i), "rule '" + name
                        + "': a category is letters, digits, '-' and '_' (one per list entry)");
            }
        }
        RuleParts.patterns("cert-subjects", certSubjects, name, NamePattern.Syntax.TEXT);
        RuleParts.patterns("cert-issuers", certIssuers, name, NamePattern.Syntax.TEXT);
        RuleParts.patterns("cert-sans", certSans, name, NamePattern.Syntax.HOST);
    }

    private static void validateAction(String name, String action) {
        if (action == null) {
            throw new ConfigException("action", null, "rule '" + name + "': required (decrypt, bypass or block)");
        }
        try {
            Action.fromConfigName("action", action);
        } catch (ConfigException e) {
            throw new ConfigException("action", action, "rule '" + name + "': " + e.reason());
        }
    }

    private static <T> List<T> copy(List<T> values) {
        return values == null ? null : List.copyOf(values);
    }
}
