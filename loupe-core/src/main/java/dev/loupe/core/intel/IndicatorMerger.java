package dev.loupe.core.intel;

import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Collapses indicators with the same type and value into one. The combination is commutative and
 * associative, so the merged result does not depend on the order in which feeds delivered them.
 */
final class IndicatorMerger {
    private IndicatorMerger() {
    }

    /** Live indicators by type, then by canonical value; expired ones are dropped before merging. */
    static Map<IndicatorType, Map<String, Indicator>> merge(Collection<Indicator> indicators, Instant now) {
        int[] counts = new int[IndicatorType.values().length];
        for (Indicator indicator : indicators) {
            counts[indicator.type().ordinal()]++;
        }
        Map<IndicatorType, Map<String, Indicator>> byType = new EnumMap<>(IndicatorType.class);
        for (IndicatorType type : IndicatorType.values()) {
            byType.put(type, HashMap.newHashMap(counts[type.ordinal()]));
        }
        for (Indicator indicator : indicators) {
            if (!indicator.isExpired(now)) {
                byType.get(indicator.type()).merge(indicator.value(), indicator, IndicatorMerger::combine);
            }
        }
        return byType;
    }

    /**
     * Highest risk, union of sources (sorted, comma-separated), subdomains if either covers them, earliest
     * first sighting, latest last sighting, and the later expiry (none beats any).
     */
    static Indicator combine(Indicator a, Indicator b) {
        if (a.equals(b)) {
            return a;
        }
        Instant expiry = a.expiresAt() == null || b.expiresAt() == null ? null : max(a.expiresAt(), b.expiresAt());
        return new Indicator(a.type(), a.value(), a.includeSubdomains() || b.includeSubdomains(),
                sources(a.source(), b.source()), Math.max(a.risk(), b.risk()),
                min(a.firstSeen(), b.firstSeen()), max(a.lastSeen(), b.lastSeen()), expiry);
    }

    private static String sources(String a, String b) {
        if (a.equals(b)) {
            return a;
        }
        TreeSet<String> names = new TreeSet<>();
        for (String name : (a + "," + b).split(",")) {
            if (!name.isBlank()) {
                names.add(name.strip());
            }
        }
        return String.join(",", names);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
