package dev.loupe.core.policy;

import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Domain → categories with a lookup that finds the most specific entry covering a host without
 * allocating: an open-addressing table keyed by {@link String#hashCode()}, probed with the hash of
 * each parent-domain suffix of the host, computed incrementally from the end of the host. A plain
 * {@code HashMap} would need one substring per label for every connection.
 */
final class DomainTable {
    private final String[] keys;
    private final Object[] values;
    private final int mask;
    private final int size;

    /** {@code entries} keys are lower-case ASCII domain names without a trailing dot. */
    DomainTable(Map<String, Set<String>> entries) {
        int capacity = 2;
        while (capacity < entries.size() * 2) {
            capacity <<= 1; // load factor at most 1/2 keeps probe chains short and leaves empty slots
        }
        keys = new String[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
        size = entries.size();
        entries.forEach((key, categories) -> {
            int slot = spread(key.hashCode()) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            values[slot] = Set.copyOf(categories);
        });
    }

    int size() {
        return size;
    }

    /** The entry for {@code host} itself or its closest parent domain; null when none covers it. */
    Set<String> lookup(String host) {
        int end = host.length();
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        Set<String> found = null;
        int hash = 0;
        int power = 1;
        // String.hashCode of host[k..end) = sum of c[j] * 31^(end-1-j), so walking k downwards adds one term each step.
        for (int k = end - 1; k >= 0; k--) {
            hash += lower(host.charAt(k)) * power;
            power *= 31;
            if (k == 0 || host.charAt(k - 1) == '.') {
                Set<String> entry = get(host, k, end, hash);
                found = entry != null ? entry : found; // later hits are longer suffixes, so more specific
            }
        }
        return found;
    }

    @SuppressWarnings("unchecked")
    void forEach(BiConsumer<String, Set<String>> action) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                action.accept(keys[i], (Set<String>) values[i]);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Set<String> get(String host, int from, int end, int hash) {
        for (int slot = spread(hash) & mask; keys[slot] != null; slot = (slot + 1) & mask) {
            if (regionEquals(keys[slot], host, from, end)) {
                return (Set<String>) values[slot];
            }
        }
        return null;
    }

    private static boolean regionEquals(String key, String host, int from, int end) {
        if (key.length() != end - from) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) != lower(host.charAt(from + i))) {
                return false;
            }
        }
        return true;
    }

    /** ASCII only: keys are ASCII, and Unicode folding (Kelvin sign → k) must not create matches. */
    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }
}
