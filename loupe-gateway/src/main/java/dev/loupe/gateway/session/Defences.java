package dev.loupe.gateway.session;

import java.net.InetAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the gateway counts while it defends itself: open connections (in all and per client address, for
 * {@code limits.max-connections} and {@code limits.max-connections-per-client}) and every refusal by reason,
 * so that {@code /metrics} shows floods, slow clients and refused destinations. Thread-safe.
 */
public final class Defences {
    private final AtomicInteger open = new AtomicInteger();
    private final Map<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();

    /**
     * Takes a place for a new connection from {@code client}: null when admitted (release it with
     * {@link #release}), otherwise the limit that refused it ({@code max-connections} or
     * {@code max-connections-per-client}). {@code perClientLimit} 0 means no per-client limit.
     */
    public String admit(InetAddress client, int limit, int perClientLimit) {
        if (open.incrementAndGet() > limit) {
            open.decrementAndGet();
            refused("max-connections");
            return "max-connections";
        }
        if (perClientLimit > 0) {
            AtomicInteger mine = perClient.computeIfAbsent(client, c -> new AtomicInteger());
            if (mine.incrementAndGet() > perClientLimit) {
                release(client, perClientLimit);
                refused("max-connections-per-client");
                return "max-connections-per-client";
            }
        }
        return null;
    }

    /** Gives back the place {@link #admit} took. */
    public void release(InetAddress client, int perClientLimit) {
        open.decrementAndGet();
        if (perClientLimit > 0) {
            perClient.computeIfPresent(client, (c, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    /** Counts one refusal (a connection or a request) for {@code reason}, a short metric label. */
    public void refused(String reason) {
        refusals.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    public int open() {
        return open.get();
    }

    /** Refusals so far, by reason. */
    public Map<String, Long> refusals() {
        Map<String, Long> out = new TreeMap<>();
        refusals.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
