package dev.loupe.gateway.inline;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Inline-device series, registered once per gateway: a reload's new service reports into the same ones. */
public final class InlineMetrics {
    final Counter flows;
    final Counter failures;
    final Gauge up;
    final Histogram latency;

    public InlineMetrics(PrometheusRegistry registry) {
        flows = Counter.builder().name("loupe_inline_requests_total")
                .help("Requests sent through an inline device, by service and device").labelNames("service", "device")
                .register(registry);
        failures = Counter.builder().name("loupe_inline_failures_total")
                .help("Inline device failures (unreachable, or closed before answering), by service and device")
                .labelNames("service", "device").register(registry);
        up = Gauge.builder().name("loupe_inline_device_up").help("1 while an inline device passes its loop probe")
                .labelNames("service", "device").register(registry);
        latency = Histogram.builder().name("loupe_inline_latency_seconds")
                .help("From a request leaving for an inline device to its response head coming back")
                .labelNames("service", "device").classicOnly()
                .classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30).register(registry);
    }
}
