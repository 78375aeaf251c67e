package dev.loupe.gateway.icap;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** ICAP counters: per server (requests, errors, latency, up) and per service (what happened to messages). */
public final class IcapMetrics {
    final Counter requests;
    final Counter errors;
    final Histogram latency;
    final Gauge up;
    final Counter results;

    public IcapMetrics(PrometheusRegistry registry) {
        requests = Counter.builder().name("loupe_icap_requests_total")
                .help("ICAP transactions sent, by service and server").labelNames("service", "server")
                .register(registry);
        errors = Counter.builder().name("loupe_icap_errors_total")
                .help("ICAP transactions that failed (connect, timeout, protocol, error status)")
                .labelNames("service", "server").register(registry);
        latency = Histogram.builder().name("loupe_icap_latency_seconds")
                .help("Time from sending an ICAP request to the end of its answer").labelNames("service", "server")
                .classicOnly().classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30)
                .register(registry);
        up = Gauge.builder().name("loupe_icap_server_up").help("1 while an ICAP server is in rotation")
                .labelNames("service", "server").register(registry);
        results = Counter.builder().name("loupe_icap_results_total")
                .help("HTTP messages by ICAP service and result (unmodified, replaced, blocked, error, not-scanned)")
                .labelNames("service", "result").register(registry);
    }

    /** For tests and benchmarks that have no registry to report to. */
    public static IcapMetrics unregistered() {
        return new IcapMetrics(new PrometheusRegistry());
    }
}
