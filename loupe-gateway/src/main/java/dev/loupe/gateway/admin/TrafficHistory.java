package dev.loupe.gateway.admin;

import dev.loupe.core.log.ConnectionRecord;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The last hour of traffic in memory, for the dashboard's charts (no database): every {@link #INTERVAL_SECONDS}
 * a sample of the connections open and of what ended since the previous sample (connections by verdict,
 * exchanges, bytes), 720 samples kept. Also the hits per policy rule since start, read from the connection
 * records' reasons ({@code "rule: conditions"}). Event loops only add to striped counters; sampling and
 * reading take a lock the event loops never touch.
 */
public final class TrafficHistory {
    public static final int INTERVAL_SECONDS = 5;
    static final int SAMPLES = 3600 / INTERVAL_SECONDS;
    /** Rule names are the operator's; anything else before ": " (a bug, or an odd reason) stops counting here. */
    private static final int MAX_RULES = 1_000;

    /** What happened in one interval: counts of things that ended in it, and the connections open at its end. */
    public record Sample(long epochSecond, int open, Map<String, Long> connections, long exchanges, long bytes) {
    }

    private final Map<String, LongAdder> connections = new ConcurrentHashMap<>();
    private final LongAdder exchanges = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final Map<String, LongAdder> ruleHits = new ConcurrentHashMap<>();
    private final ArrayDeque<Sample> samples = new ArrayDeque<>(SAMPLES);
    private Map<String, Long> lastConnections = Map.of();
    private long lastExchanges;
    private long lastBytes;

    void connection(ConnectionRecord record) {
        String verdict = record.verdict() == null ? "unknown" : record.verdict();
        LongAdder byVerdict = connections.get(verdict);
        if (byVerdict == null) {
            byVerdict = connections.computeIfAbsent(verdict, v -> new LongAdder());
        }
        byVerdict.increment();
        bytes.add(record.bytesUp() + record.bytesDown());
        String reason = record.reason();
        int colon = reason == null ? -1 : reason.indexOf(": ");
        if (colon > 0) {
            String rule = reason.substring(0, colon);
            LongAdder hits = ruleHits.get(rule);
            if (hits == null && ruleHits.size() < MAX_RULES) {
                hits = ruleHits.computeIfAbsent(rule, r -> new LongAdder());
            }
            if (hits != null) {
                hits.increment();
            }
        }
    }

    void exchange() {
        exchanges.increment();
    }

    /** Closes the current interval (a timer calls it every {@link #INTERVAL_SECONDS}). */
    public synchronized void sample(Instant now, int open) {
        Map<String, Long> totals = new TreeMap<>();
        connections.forEach((verdict, n) -> totals.put(verdict, n.sum()));
        Map<String, Long> delta = new TreeMap<>();
        totals.forEach((verdict, n) -> {
            long d = n - lastConnections.getOrDefault(verdict, 0L);
            if (d != 0) {
                delta.put(verdict, d);
            }
        });
        long ex = exchanges.sum();
        long by = bytes.sum();
        if (samples.size() == SAMPLES) {
            samples.removeFirst();
        }
        samples.addLast(new Sample(now.getEpochSecond(), open, delta, ex - lastExchanges, by - lastBytes));
        lastConnections = totals;
        lastExchanges = ex;
        lastBytes = by;
    }

    /** Oldest first. */
    public synchronized List<Sample> samples() {
        return new ArrayList<>(samples);
    }

    /** Connections per rule name since start. */
    public Map<String, Long> ruleHits() {
        Map<String, Long> out = new LinkedHashMap<>();
        ruleHits.forEach((rule, n) -> out.put(rule, n.sum()));
        return out;
    }

    public Map<String, Long> connectionTotals() {
        Map<String, Long> out = new TreeMap<>();
        connections.forEach((verdict, n) -> out.put(verdict, n.sum()));
        return out;
    }
}
