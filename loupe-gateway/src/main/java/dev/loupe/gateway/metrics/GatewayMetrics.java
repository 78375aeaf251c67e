package dev.loupe.gateway.metrics;

import dev.loupe.core.policy.AutoBypass;
import dev.loupe.gateway.intel.IntelService;
import dev.loupe.gateway.mirror.Mirror;
import dev.loupe.gateway.mirror.MirrorSinkStats;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import dev.loupe.gateway.session.Defences;

/**
 * The gateway's metrics in Prometheus text format (served on the admin API at {@code /metrics}).
 * One registry per gateway, so several gateways in one JVM (tests) never share counters. Values that
 * already live elsewhere (mirror, automatic bypass, indicator stores) are read at scrape time.
 */
public final class GatewayMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final io.prometheus.metrics.core.metrics.Counter reloads = io.prometheus.metrics.core.metrics.Counter.builder()
            .name("loupe_config_reloads_total").help("Configuration reloads, by result (applied, unchanged, refused, invalid)")
            .labelNames("result").register(registry);

    public void reloaded(String result) {
        reloads.labelValues(result).inc();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The cluster link: whether the store answers, and how many changes other nodes sent. */
    public void observe(dev.loupe.gateway.cluster.ClusterLink cluster) {
        GaugeWithCallback.builder().name("loupe_cluster_store_up")
                .help("1 while the cluster store (Redis) answers, or for a single node; 0 while this node serves alone "
                        + "on its last state")
                .callback(cb -> cb.call(cluster.reachable() ? 1 : 0)).register(registry);
        CounterWithCallback.builder().name("loupe_cluster_events_received_total")
                .help("Changes (pushes, deletes, bypasses) received from other nodes")
                .callback(cb -> cb.call(((Number) cluster.status().getOrDefault("events_received", 0L)).doubleValue()))
                .register(registry);
    }

    /** Registers the read-at-scrape-time metrics; {@code mirror} may be null (no sinks). */
    public void observe(Defences defences, Mirror mirror, AutoBypass autoBypass, IntelService intel) {
        GaugeWithCallback.builder().name("loupe_connections_open").help("Client connections open now")
                .callback(cb -> cb.call(defences.open())).register(registry);
        CounterWithCallback.builder().name("loupe_refusals_total")
                .help("Connections and requests refused to protect the gateway or its host, by reason")
                .labelNames("reason").callback(cb -> defences.refusals().forEach((r, n) -> cb.call(n, r)))
                .register(registry);
        CounterWithCallback.builder().name("loupe_auto_bypass_refused_total")
                .help("Automatic bypasses refused (indicator, block rule, never-bypass list, rate limit)")
                .labelNames("reason").callback(cb -> autoBypass.refusals().forEach((r, n) -> cb.call(n, r)))
                .register(registry);
        CounterWithCallback.builder().name("loupe_auto_bypass_granted_total")
                .help("Automatic bypasses granted (pinning, mTLS)")
                .callback(cb -> cb.call(autoBypass.bypassesGranted())).register(registry);
        GaugeWithCallback.builder().name("loupe_auto_bypass_active").help("Automatic bypasses in force")
                .callback(cb -> cb.call(autoBypass.active().size())).register(registry);
        GaugeWithCallback.builder().name("loupe_intel_indicators").help("Indicators loaded, by store")
                .labelNames("store").callback(cb -> {
                    var stores = intel.stores();
                    cb.call(stores.get(0).size(), "pushed");
                    cb.call(stores.get(1).size(), "feeds");
                }).register(registry);
        if (mirror != null) {
            CounterWithCallback.builder().name("loupe_mirror_frames_total").help("Frames written, by mirror sink")
                    .labelNames("sink").callback(cb -> {
                        for (MirrorSinkStats s : mirror.stats()) {
                            cb.call(s.framesWritten(), s.sink());
                        }
                    }).register(registry);
            CounterWithCallback.builder().name("loupe_mirror_frames_dropped_total")
                    .help("Frames a mirror sink could not take (slow reader, full kernel queue, write error)")
                    .labelNames("sink").callback(cb -> {
                        for (MirrorSinkStats s : mirror.stats()) {
                            cb.call(s.framesDropped(), s.sink());
                        }
                    }).register(registry);
            CounterWithCallback.builder().name("loupe_mirror_events_dropped_total")
                    .help("Plaintext events dropped before synthesis because the mirror queue was full")
                    .callback(cb -> cb.call(mirror.droppedEvents())).register(registry);
        }
    }

    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

}
