package dev.loupe.core.intel;

import java.time.Instant;
import java.util.Collection;

/**
 * URL indicators keyed by canonical URL. A request is canonicalised once; a single left-to-right pass
 * then yields the hash of every candidate prefix (String.hashCode of a prefix is the running hash), so
 * exact, query-less and path-prefix candidates are probed without further allocation. The rule itself is
 * documented on {@link Indicator}.
 */
final class UrlIndex {
    private final StringTable table;
    /**
     * Bit n set if some path-prefix indicator has n '/' in its path (bit 63: 63 or more); prefixes of
     * other depths cannot match, so they are not probed.
     */
    private final long prefixDepths;

    UrlIndex(Collection<Indicator> urls) {
        table = new StringTable(urls.size());
        long depths = 0;
        for (Indicator indicator : urls) {
            String url = indicator.value();
            table.put(url, url.hashCode(), indicator);
            if (url.endsWith("/") && url.indexOf('?') < 0) {
                depths |= bit(FeedText.count(url, '/'));
            }
        }
        prefixDepths = depths;
    }

    private static long bit(int depth) {
        return 1L << Math.min(depth, 63);
    }

    Indicator match(String host, int port, String pathAndQuery, Instant now) {
        // A host with URL delimiters in it is garbage; it must not shift where the path seems to start.
        if (table.size() == 0 || UrlNormalizer.indexOfAny(host, "/?#") < host.length()) {
            return null;
        }
        String key = UrlNormalizer.requestKey(host, port, pathAndQuery);
        // The canonical host never contains '/', so the first one starts the path.
        int pathStart = key.indexOf('/');
        int queryStart = key.indexOf('?', pathStart);
        if (queryStart < 0) {
            queryStart = key.length();
        }
        Indicator best = null;
        int h = 0;
        int depth = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            h = 31 * h + c;
            int end = i + 1;
            boolean prefix = c == '/' && i >= pathStart && i < queryStart;
            depth += prefix ? 1 : 0;
            // exact URL; path without the query; a path prefix ending in '/' (only such keys can equal it)
            boolean candidate = end == key.length() || end == queryStart
                    || (prefix && (prefixDepths & bit(depth)) != 0);
            if (candidate && i >= pathStart) {
                Indicator found = table.get(key, 0, end, h, false);
                if (found != null && !found.isExpired(now)) {
                    best = found;
                }
            }
        }
        return best;
    }
}
