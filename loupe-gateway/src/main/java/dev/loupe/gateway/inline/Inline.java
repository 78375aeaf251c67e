package dev.loupe.gateway.inline;

import dev.loupe.core.config.InlineConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The inline service of a gateway and the flows travelling through it; null in services when none is configured. */
public record Inline(InlineHttpService service, FlowRegistry flows, InlineConfig order) implements AutoCloseable {

    public static Inline create(InlineConfig config, PrometheusRegistry registry) {
        if (!config.enabled()) {
            return null;
        }
        FlowRegistry flows = new FlowRegistry();
        return new Inline(new InlineHttpService(config.services().get(0), flows, registry), flows, config);
    }

    @Override
    public void close() {
        service.close();
    }
}
