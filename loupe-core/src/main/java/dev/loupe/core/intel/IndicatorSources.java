package dev.loupe.core.intel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The current indicator list of every named source (a pulled feed, a TAXII collection, the push API),
 * combined into one {@link IndicatorStore} on demand. Every indicator is stamped with the name of the
 * source it was registered under, so a merged indicator lists the sources that reported it.
 * Thread-safe: feeds update their lists concurrently while a rebuild copies a consistent view. Rebuilds
 * are serialised and carry hit counts over from the previous one; the caller publishes the result through
 * an {@code AtomicReference}, from one thread so that an older snapshot never replaces a newer one.
 */
public final class IndicatorSources {
    private final Object listsLock = new Object();
    private final Map<String, Map<IndicatorKey, Indicator>> lists = new TreeMap<>();
    private final Object buildLock = new Object();
    private IndicatorStore lastBuilt;

    /** Replaces the whole current list of a source (a feed refresh); duplicates in it are merged. */
    public void replace(String sourceName, List<Indicator> indicators) {
        Map<IndicatorKey, Indicator> entries = LinkedHashMap.newLinkedHashMap(indicators.size());
        for (Indicator indicator : indicators) {
            entries.merge(IndicatorKey.of(indicator), stamped(sourceName, indicator), IndicatorMerger::combine);
        }
        synchronized (listsLock) {
            lists.put(sourceName, entries);
        }
    }

    /** Adds an indicator to a source, replacing one with the same type and value (the push API's update). */
    public void add(String source, Indicator indicator) {
        Indicator entry = stamped(source, indicator);
        synchronized (listsLock) {
            lists.computeIfAbsent(source, name -> new LinkedHashMap<>()).put(IndicatorKey.of(entry), entry);
        }
    }

    /** Removes the indicator with this type and value (any spelling of it) from a source. */
    public boolean remove(String source, IndicatorType type, String value) {
        IndicatorKey key;
        try {
            key = new IndicatorKey(type, IndicatorValues.key(type, value));
        } catch (IllegalArgumentException e) {
            return false; // a value that cannot be normalised was never added
        }
        synchronized (listsLock) {
            Map<IndicatorKey, Indicator> entries = lists.get(source);
            return entries != null && entries.remove(key) != null;
        }
    }

    /** Forgets a source entirely (a feed removed from the configuration). */
    public boolean removeSource(String source) {
        synchronized (listsLock) {
            return lists.remove(source) != null;
        }
    }

    public Set<String> sourceNames() {
        synchronized (listsLock) {
            return new TreeSet<>(lists.keySet());
        }
    }

    /** Number of distinct indicators a source currently holds, 0 for an unknown source. */
    public int size(String source) {
        synchronized (listsLock) {
            Map<IndicatorKey, Indicator> entries = lists.get(source);
            return entries == null ? 0 : entries.size();
        }
    }

    /** A new snapshot of all sources; the lists are copied under the lock, the indexing happens outside it. */
    public IndicatorStore rebuild(Instant now) {
        synchronized (buildLock) {
            List<Indicator> all;
            synchronized (listsLock) {
                all = new ArrayList<>(lists.values().stream().mapToInt(Map::size).sum());
                lists.values().forEach(entries -> all.addAll(entries.values()));
            }
            lastBuilt = IndicatorStore.build(all, now, lastBuilt);
            return lastBuilt;
        }
    }

    private static Indicator stamped(String source, Indicator indicator) {
        return source.equals(indicator.source()) ? indicator : indicator.withSource(source);
    }
}
