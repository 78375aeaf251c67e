package dev.loupe.core.config;

/**
 * How much of the machine the gateway takes. {@code eventLoops}: the I/O threads every connection is spread over
 * (each connection stays on one); 0, the default, is one per core. One per core suits a machine of its own; where the gateway shares the cores
 * with busy neighbours (an IDS, c-icap, the origin in a benchmark), fewer loops cost less CPU per request: each
 * wake-up then serves more ready connections, and the gateway's own threads do not preempt each other.
 */
public record RuntimeConfig(Integer eventLoops) {
    public RuntimeConfig {
        eventLoops = Check.range("event-loops", Check.orDefault(eventLoops, 0), 0, 1024);
    }

    /** The number of event loops to start: {@code event-loops}, or one per core where it is 0 (the default). */
    public int loops() {
        return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
    }

    public static RuntimeConfig defaults() {
        return new RuntimeConfig(null);
    }
}
