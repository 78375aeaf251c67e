package dev.loupe.core.policy;

import dev.loupe.core.config.ConfigException;
import dev.loupe.core.net.Cidr;
import java.util.List;
import java.util.Locale;

/**
 * Turns the list fields of a {@link PolicyRule} into the arrays its matchers scan. The same code
 * validates the record (results discarded) and compiles it for {@link DecryptPolicy}, so whatever
 * passed validation compiles. A null list means "any" and gives null here; an empty list is refused,
 * because it would silently make the rule match nothing.
 */
final class RuleParts {
    private RuleParts() {
    }

    static NamePattern[] patterns(String field, List<String> values, String rule, NamePattern.Syntax syntax) {
        if (!present(field, values, rule)) {
            return null;
        }
        NamePattern[] patterns = new NamePattern[values.size()];
        for (int i = 0; i < patterns.length; i++) {
            patterns[i] = NamePattern.parse(field + "[" + i + "]", values.get(i), rule, syntax);
        }
        return patterns;
    }

    static Cidr[] networks(String field, List<String> values, String rule) {
        if (!present(field, values, rule)) {
            return null;
        }
        Cidr[] networks = new Cidr[values.size()];
        for (int i = 0; i < networks.length; i++) {
            String value = values.get(i);
            try {
                networks[i] = Cidr.parse(value);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new ConfigException(field + "[" + i + "]", value, "rule '" + rule
                        + "': not an IP address or CIDR such as 10.0.0.0/8 (names are not resolved)");
            }
        }
        return networks;
    }

    static int[] ports(String field, List<Integer> values, String rule) {
        if (!present(field, values, rule)) {
            return null;
        }
        int[] ports = new int[values.size()];
        for (int i = 0; i < ports.length; i++) {
            Integer port = values.get(i);
            if (port == null || port < 1 || port > 65_535) {
                throw new ConfigException(field + "[" + i + "]", port, "rule '" + rule
                        + "': must be a port between 1 and 65535");
            }
            ports[i] = port;
        }
        return ports;
    }

    /** Free-form names (ALPN ids, listeners, categories); {@code lowerCase} where case does not matter. */
    static String[] names(String field, List<String> values, String rule, boolean lowerCase) {
        if (!present(field, values, rule)) {
            return null;
        }
        String[] names = new String[values.size()];
        for (int i = 0; i < names.length; i++) {
            String value = values.get(i);
            if (value == null || value.isBlank()) {
                throw new ConfigException(field + "[" + i + "]", value, "rule '" + rule + "': must not be empty");
            }
            names[i] = lowerCase ? value.strip().toLowerCase(Locale.ROOT) : value;
        }
        return names;
    }

    /** Fingerprints as a set: literal entries, and {@code file:PATH} entries read now (one per line). */
    static java.util.Set<String> fingerprints(String field, List<String> values, String rule, Fingerprints.Kind kind) {
        if (!present(field, values, rule)) {
            return null;
        }
        java.util.Set<String> out = new java.util.HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            String where = field + "[" + i + "]";
            if (value == null || value.isBlank()) {
                throw new ConfigException(where, value, "rule '" + rule + "': must not be empty");
            }
            if (value.startsWith("file:")) {
                out.addAll(Fingerprints.readFile(where, java.nio.file.Path.of(value.substring(5)), kind, rule));
            } else {
                out.add(Fingerprints.check(where, value, kind, rule));
            }
        }
        return java.util.Set.copyOf(out);
    }

    private static boolean present(String field, List<?> values, String rule) {
        if (values != null && values.isEmpty()) {
            throw new ConfigException(field, "[]", "rule '" + rule
                    + "': an empty list matches nothing; leave the field out to match any");
        }
        return values != null;
    }
}
