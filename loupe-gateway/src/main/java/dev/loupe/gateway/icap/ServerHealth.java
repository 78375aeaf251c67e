package dev.loupe.gateway.icap;

import dev.loupe.core.config.IcapServiceConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one ICAP server is in rotation, shared by the per-event-loop pools of that server: out after
 * {@code mark-down-after} consecutive failures seen by any loop, back after a success (a probe, or a
 * transaction once {@code revive-after} has passed). Thread-safe; updates are rare and short.
 */
final class ServerHealth {
    private static final Logger log = LoggerFactory.getLogger(ServerHealth.class);

    private final String service;
    private final String label;
    private final IcapServiceConfig config;
    private final IcapMetrics metrics;
    private int consecutiveFailures;
    private volatile boolean down;
    private volatile long downUntilNanos;
    /** For the dashboard: totals over every loop's pool (the Prometheus series carry the same, by label). */
    private final java.util.concurrent.atomic.LongAdder requests = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder errors = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder latencyNanos = new java.util.concurrent.atomic.LongAdder();
    private volatile String lastFailure;

    ServerHealth(String service, String label, IcapServiceConfig config, IcapMetrics metrics) {
        this.service = service;
        this.label = label;
        this.config = config;
        this.metrics = metrics;
        metrics.up.labelValues(service, label).set(1);
    }

    boolean isDown() {
        return down;
    }

    /** In rotation, or out but due for a probe. */
    boolean selectable(long now) {
        return !down || now - downUntilNanos >= 0;
    }

    /** A transaction that succeeded, and how long it took (0 for a probe nobody waited for). */
    void timed(long nanos) {
        requests.increment();
        latencyNanos.add(nanos);
    }

    /** One server as the dashboard shows it. */
    java.util.Map<String, Object> describe() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        long n = requests.sum();
        m.put("server", label);
        m.put("up", !down);
        m.put("requests", n + errors.sum());
        m.put("errors", errors.sum());
        m.put("mean_ms", n == 0 ? null : Math.round(latencyNanos.sum() / 1e4 / n) / 100.0);
        m.put("last_failure", lastFailure);
        return m;
    }

    synchronized void success() {
        consecutiveFailures = 0;
        if (down) {
            down = false;
            metrics.up.labelValues(service, label).set(1);
            log.info("ICAP {} {}: back in rotation", service, label);
        }
    }

    /** Returns true when this failure took the server out of rotation. */
    synchronized boolean failure(String reason) {
        consecutiveFailures++;
        errors.increment();
        lastFailure = reason;
        if (down) {
            // a failed probe: stay out for another period
            downUntilNanos = System.nanoTime() + config.reviveAfter().toNanos();
            return false;
        }
        if (consecutiveFailures < config.markDownAfter()) {
            return false;
        }
        downUntilNanos = System.nanoTime() + config.reviveAfter().toNanos();
        down = true;
        metrics.up.labelValues(service, label).set(0);
        log.warn("ICAP {} {}: out of rotation after {} consecutive failures (last: {}); probing again in {} ms",
                service, label, consecutiveFailures, reason, config.reviveAfter().toMillis());
        return true;
    }
}
