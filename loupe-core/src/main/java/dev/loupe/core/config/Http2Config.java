package dev.loupe.core.config;

/**
 * HTTP/2 on decrypted connections. On by default, as in every browser-facing server: Loupe offers the origin
 * what the client offered of {@code h2} and {@code http/1.1}, and then offers the client exactly what the
 * origin chose. Off, both sides speak HTTP/1.1 (the escape hatch when an h2 origin misbehaves).
 *
 * @param enabled                 negotiate h2 at all
 * @param maxConcurrentStreams    streams one client connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS)
 * @param initialWindowSize       per-stream receive window announced to both sides (SETTINGS_INITIAL_WINDOW_SIZE):
 *                                what one stream may have in flight before its reader takes it
 */
public record Http2Config(Boolean enabled, Integer maxConcurrentStreams, Integer initialWindowSize) {
    public Http2Config {
        enabled = Check.orDefault(enabled, Boolean.TRUE);
        maxConcurrentStreams = Check.range("max-concurrent-streams", Check.orDefault(maxConcurrentStreams, 100), 1,
                10_000);
        initialWindowSize = Check.range("initial-window-size", Check.orDefault(initialWindowSize, 1 << 16), 1 << 14,
                Integer.MAX_VALUE);
    }

    public static Http2Config defaults() {
        return new Http2Config(null, null, null);
    }
}
