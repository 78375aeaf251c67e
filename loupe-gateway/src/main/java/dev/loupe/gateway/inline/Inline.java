package dev.loupe.gateway.inline;

import dev.loupe.core.config.InlineConfig;

/** The inline service of a gateway and the flows travelling through it; null in services when none is configured. */
public record Inline(InlineHttpService service, FlowRegistry flows, InlineConfig order) implements AutoCloseable {

    public static Inline create(InlineConfig config, InlineMetrics metrics) {
        if (!config.enabled()) {
            return null;
        }
        FlowRegistry flows = new FlowRegistry();
        return new Inline(new InlineHttpService(config.services().get(0), flows, metrics, null), flows, config);
    }

    /**
     * The inline service a reload to {@code next} starts new connections on: its devices as now listed, those it
     * had keeping their state, over the same flow table (the return listener finds flows of either snapshot).
     * Devices never judged are probed before it is returned, so a new device is in rotation (or known down)
     * before the first connection can pick it. The caller starts its probing and closes this one.
     */
    public Inline reconfigured(InlineConfig next, InlineMetrics metrics, InlineHttpService.L3Probe l3) {
        InlineHttpService successor = new InlineHttpService(next.services().get(0), flows, metrics, service);
        successor.probeUnjudged(l3);
        service.forgetDevicesNotIn(successor);
        return new Inline(successor, flows, next);
    }

    @Override
    public void close() {
        service.close();
    }
}
