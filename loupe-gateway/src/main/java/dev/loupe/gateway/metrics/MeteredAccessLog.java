package dev.loupe.gateway.metrics;

import dev.loupe.core.log.AccessLog;
import dev.loupe.core.log.ConnectionRecord;
import dev.loupe.core.log.ExchangeRecord;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Counts what the access log records, then passes each record on: every connection and exchange
 * already ends in exactly one record, so the metrics need no hooks in the handlers.
 */
public final class MeteredAccessLog implements AccessLog {
    private final AccessLog delegate;
    private final Counter connections;
    private final Counter bytes;
    private final Counter exchanges;
    private final Counter certificateProblems;

    public MeteredAccessLog(AccessLog delegate, PrometheusRegistry registry) {
        this.delegate = delegate;
        this.connections = Counter.builder().name("loupe_connections_total")
                .help("Client connections, by listener and verdict (decrypt, bypass, relay, http, block, ...)")
                .labelNames("listener", "verdict").register(registry);
        this.bytes = Counter.builder().name("loupe_client_bytes_total")
                .help("Bytes on client sockets, by direction").labelNames("direction").register(registry);
        this.exchanges = Counter.builder().name("loupe_http_exchanges_total")
                .help("HTTP exchanges, by status class and outcome").labelNames("status_class", "outcome")
                .register(registry);
        this.certificateProblems = Counter.builder().name("loupe_upstream_certificate_rejections_total")
                .help("Upstream certificates that failed validation, by problem").labelNames("problem")
                .register(registry);
    }

    @Override
    public void connection(ConnectionRecord r) {
        connections.labelValues(String.valueOf(r.listener()), String.valueOf(r.verdict())).inc();
        bytes.labelValues("in").inc(r.bytesUp());
        bytes.labelValues("out").inc(r.bytesDown());
        if (r.upstreamCertificate() != null && r.upstreamCertificate().problem() != null) {
            String problem = r.upstreamCertificate().problem();
            int colon = problem.indexOf(':');
            certificateProblems.labelValues(colon > 0 ? problem.substring(0, colon) : problem).inc();
        }
        delegate.connection(r);
    }

    @Override
    public void exchange(ExchangeRecord r) {
        String outcome = r.outcome() == null ? "relayed" : r.outcome().split(":", 2)[0];
        exchanges.labelValues(r.status() / 100 + "xx", outcome).inc();
        delegate.exchange(r);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void reopen() {
        delegate.reopen();
    }

    @Override
    public void retarget(String target) {
        delegate.retarget(target);
    }
}
