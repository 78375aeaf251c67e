package dev.loupe.core.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The inspection services one connection goes through, chosen by the rule that decided it (F5's "service chain"):
 * finance sites bypassed, downloads through AV and a sandbox, everything else a URL filter and the mirror.
 * {@link #ALL} (no rule named a chain) is every configured service, as without chains.
 *
 * @param rule     the rule that chose it, null for {@link #ALL}
 * @param services the names of the services in the chain (ICAP services, the inline service, {@code mirror});
 *                 null for every one
 */
public record ServiceChain(String rule, List<String> services) {
    public static final ServiceChain ALL = new ServiceChain(null, null);
    /** The chain name of the mirror (all its sinks). */
    public static final String MIRROR = "mirror";

    public ServiceChain {
        services = services == null ? null : List.copyOf(services);
    }

    public boolean allows(String service) {
        return services == null || services.contains(service);
    }

    public boolean isAll() {
        return services == null;
    }

    /** Every rule's chain by rule name; a rule without {@code services} has none (it gets {@link #ALL}). */
    public static Map<String, ServiceChain> byRule(List<PolicyRule> rules) {
        Map<String, ServiceChain> out = new HashMap<>();
        for (PolicyRule r : rules) {
            if (r.services() != null) {
                out.put(r.name(), new ServiceChain(r.name(), r.services()));
            }
        }
        return Map.copyOf(out);
    }

    /** Refuses a chain naming a service that is not configured, with the rule and the field. */
    public static void check(List<PolicyRule> rules, Set<String> configured,
                             java.util.function.BiFunction<Integer, Integer, String> field) {
        for (int i = 0; i < rules.size(); i++) {
            List<String> names = rules.get(i).services();
            for (int j = 0; names != null && j < names.size(); j++) {
                if (!configured.contains(names.get(j))) {
                    throw new dev.loupe.core.config.ConfigException(field.apply(i, j), names.get(j), "rule '"
                            + rules.get(i).name() + "': no such service (configured: "
                            + String.join(", ", new java.util.TreeSet<>(configured)) + ")");
                }
            }
        }
    }
}
