package dev.loupe.core.policy;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The automatic bypass's books: the grant rate limit (grants within the last minute), the counts of grants and of
 * refusals by kind, and the latest grants. Thread-safe; each part is guarded by itself.
 */
final class GrantLedger {
    private static final int HISTORY = 100;

    private final int maxPerMinute;
    private final LongAdder granted = new LongAdder();
    private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
    /** Grant times within the last minute (epoch millis); guarded by itself. */
    private final ArrayDeque<Long> recentGrantTimes = new ArrayDeque<>();
    /** The latest grants, newest last; guarded by itself. */
    private final ArrayDeque<AutoBypass.Entry> history = new ArrayDeque<>();

    GrantLedger(int maxPerMinute) {
        this.maxPerMinute = maxPerMinute;
    }

    /** Takes one grant from the minute's allowance; false when it is spent. */
    boolean takeGrant(Instant now) {
        long cutoff = now.toEpochMilli() - 60_000;
        synchronized (recentGrantTimes) {
            while (!recentGrantTimes.isEmpty() && recentGrantTimes.peekFirst() <= cutoff) {
                recentGrantTimes.removeFirst();
            }
            if (recentGrantTimes.size() >= maxPerMinute) {
                return false;
            }
            recentGrantTimes.addLast(now.toEpochMilli());
            return true;
        }
    }

    void granted(AutoBypass.Entry entry) {
        granted.increment();
        synchronized (history) {
            if (history.size() == HISTORY) {
                history.removeFirst();
            }
            history.addLast(entry);
        }
    }

    void refused(String kind) {
        refused.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    List<AutoBypass.Entry> recentGrants() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    long grantedTotal() {
        return granted.sum();
    }

    Map<String, Long> refusals() {
        Map<String, Long> out = new java.util.TreeMap<>();
        refused.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
