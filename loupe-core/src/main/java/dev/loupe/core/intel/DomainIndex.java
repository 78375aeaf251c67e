package dev.loupe.core.intel;

import java.time.Instant;
import java.util.Collection;

/**
 * DOMAIN indicators keyed by name. Lookups hash the host from its last character leftwards, so the hash of
 * every parent name ("example", "bad.example", "www.bad.example") falls out of one pass without substrings.
 */
final class DomainIndex {
    private final StringTable table;
    /**
     * Bit n set if some indicator with n labels covers subdomains (bit 63: 63 or more). A parent name can
     * only match through such an indicator, so other label counts are not probed: every probe of a table
     * this size is a likely cache miss.
     */
    private final long wildcardLabelCounts;

    DomainIndex(Collection<Indicator> domains) {
        table = new StringTable(domains.size());
        long labelCounts = 0;
        for (Indicator indicator : domains) {
            String name = indicator.value();
            table.put(name, hash(name, 0, name.length()), indicator);
            if (indicator.includeSubdomains()) {
                labelCounts |= bit(1 + FeedText.count(name, '.'));
            }
        }
        wildcardLabelCounts = labelCounts;
    }

    private static long bit(int count) {
        return 1L << Math.min(count, 63);
    }

    /** Right-to-left polynomial hash over ASCII-lower-cased characters. */
    static int hash(String text, int from, int to) {
        int h = 0;
        for (int i = to - 1; i >= from; i--) {
            h = 31 * h + DomainNames.lower(text.charAt(i));
        }
        return h;
    }

    /**
     * The most specific live indicator for the host: the name itself, else the nearest parent that
     * includes subdomains. One pass from the right; a label boundary is probed only for the full name and
     * for label counts that some subdomain-covering indicator has; a longer (more specific) hit wins.
     */
    Indicator match(String host, Instant now) {
        int to = host.endsWith(".") ? host.length() - 1 : host.length();
        Indicator best = null;
        int h = 0;
        int labels = 0;
        for (int i = to - 1; i >= 0; i--) {
            h = 31 * h + DomainNames.lower(host.charAt(i));
            boolean boundary = i == 0 || host.charAt(i - 1) == '.';
            labels += boundary ? 1 : 0;
            if (boundary && (i == 0 || (wildcardLabelCounts & bit(labels)) != 0)) {
                Indicator found = table.get(host, i, to, h, true);
                if (found != null && (i == 0 || found.includeSubdomains()) && !found.isExpired(now)) {
                    best = found;
                }
            }
        }
        return best;
    }
}
