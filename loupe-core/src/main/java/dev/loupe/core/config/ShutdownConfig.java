package dev.loupe.core.config;

import java.time.Duration;

/**
 * How a node leaves: on SIGTERM, {@code loupe drain} or {@code POST /api/drain} its health check says
 * "draining" at once; it keeps accepting for {@code announceDelay} (so that a VRRP pair or an L4 balancer
 * moves new connections elsewhere first), then stops accepting, lets the connections in flight finish for
 * at most {@code drainTimeout}, closes what is left and exits 0.
 */
public record ShutdownConfig(Duration announceDelay, Duration drainTimeout) {
    public ShutdownConfig {
        announceDelay = Check.orDefault(announceDelay, Duration.ZERO);
        drainTimeout = Check.orDefault(drainTimeout, Duration.ofSeconds(30));
        if (announceDelay.isNegative()) {
            throw new ConfigException("announce-delay", Durations.format(announceDelay), "must not be negative");
        }
        if (drainTimeout.isNegative()) {
            throw new ConfigException("drain-timeout", Durations.format(drainTimeout), "must not be negative");
        }
    }

    public static ShutdownConfig defaults() {
        return new ShutdownConfig(null, null);
    }
}
