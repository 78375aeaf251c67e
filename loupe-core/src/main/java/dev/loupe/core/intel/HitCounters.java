package dev.loupe.core.intel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Hits per indicator, touched only when something matched, so lookups never pay for counting. Counters are
 * keyed by type and canonical value, which survive a merge or a feed refresh, and a rebuilt store shares
 * the LongAdder of every indicator it still holds: hits keep accumulating across snapshots.
 */
final class HitCounters {
    private final Map<IndicatorKey, LongAdder> counters = new ConcurrentHashMap<>();

    void record(Indicator indicator) {
        IndicatorKey key = IndicatorKey.of(indicator);
        LongAdder counter = counters.get(key);
        if (counter == null) {
            counter = counters.computeIfAbsent(key, k -> new LongAdder());
        }
        counter.increment();
    }

    long get(Indicator indicator) {
        LongAdder counter = counters.get(IndicatorKey.of(indicator));
        return counter == null ? 0 : counter.sum();
    }

    /** Counters for a new snapshot: the same adders for the keys it still holds, nothing for the rest. */
    HitCounters carryOver(Predicate<IndicatorKey> stillPresent) {
        HitCounters next = new HitCounters();
        counters.forEach((key, counter) -> {
            if (stillPresent.test(key)) {
                next.counters.put(key, counter);
            }
        });
        return next;
    }
}
