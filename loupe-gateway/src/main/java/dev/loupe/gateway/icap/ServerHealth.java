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
