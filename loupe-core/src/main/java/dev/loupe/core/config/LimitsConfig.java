package dev.loupe.core.config;

import java.time.Duration;

/** Resource limits; each protects the gateway from one misbehaving peer. */
public record LimitsConfig(
        Integer maxConnections,
        Duration clientHandshakeTimeout,
        Duration idleTimeout,
        Duration sniffTimeout,
        Integer maxHeaderSize,
        Integer maxInitialLineLength,
        Duration requestHeadTimeout,
        Integer maxConnectionsPerClient) {

    public LimitsConfig {
        maxConnections = Check.range("max-connections", Check.orDefault(maxConnections, 10_000), 1, 1_000_000);
        clientHandshakeTimeout = Check.positive("client-handshake-timeout",
                Check.orDefault(clientHandshakeTimeout, Duration.ofSeconds(10)));
        idleTimeout = Check.positive("idle-timeout", Check.orDefault(idleTimeout, Duration.ofMinutes(5)));
        sniffTimeout = Check.positive("sniff-timeout", Check.orDefault(sniffTimeout, Duration.ofSeconds(3)));
        maxHeaderSize = Check.range("max-header-size", Check.orDefault(maxHeaderSize, 32 * 1024), 1024, 1 << 20);
        maxInitialLineLength = Check.range("max-initial-line-length",
                Check.orDefault(maxInitialLineLength, 16 * 1024), 256, 1 << 20);
        // a request head (the first, and each later one on a keep-alive connection) must be complete by then:
        // slow-header clients (slowloris) cost one connection for this long, not forever
        requestHeadTimeout = Check.positive("request-head-timeout",
                Check.orDefault(requestHeadTimeout, Duration.ofSeconds(30)));
        // 0 = no per-address limit: clients behind one NAT address would otherwise share it
        maxConnectionsPerClient = Check.range("max-connections-per-client",
                Check.orDefault(maxConnectionsPerClient, 0), 0, 1_000_000);
    }

    public static LimitsConfig defaults() {
        return new LimitsConfig(null, null, null, null, null, null, null, null);
    }
}
