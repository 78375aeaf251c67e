package dev.loupe.core.log;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;

/**
 * Writes access-log records with Jackson's streaming generator: snake_case names, fields in declaration
 * order, null fields left out, exactly what data-binding with {@code SNAKE_CASE} and {@code NON_NULL} gives
 * (the test holds it to that), without its bean serializers. Data-binding cost about 2% of the gateway's CPU
 * in the keep-alive benchmark, one line per exchange; a new record field must be added here too, and the
 * test fails until it is.
 */
final class AccessLogJson {
    private AccessLogJson() {
    }

    static void write(JsonGenerator g, Object record) throws IOException {
        switch (record) {
            case ExchangeRecord r -> exchange(g, r);
            case ConnectionRecord r -> connection(g, r);
            default -> throw new IllegalArgumentException("not an access-log record: " + record.getClass());
        }
    }

    private static void exchange(JsonGenerator g, ExchangeRecord r) throws IOException {
        g.writeStartObject();
        string(g, "type", r.type());
        string(g, "time", r.time());
        string(g, "connection", r.connection());
        g.writeNumberField("sequence", r.sequence());
        string(g, "method", r.method());
        string(g, "url", r.url());
        g.writeNumberField("status", r.status());
        g.writeNumberField("request_bytes", r.requestBytes());
        g.writeNumberField("response_bytes", r.responseBytes());
        g.writeNumberField("first_byte_ms", r.firstByteMs());
        g.writeNumberField("total_ms", r.totalMs());
        string(g, "outcome", r.outcome());
        icap(g, r.icap());
        string(g, "inline", r.inline());
        string(g, "protocol", r.protocol());
        string(g, "grpc_status", r.grpcStatus());
        g.writeEndObject();
    }

    private static void connection(JsonGenerator g, ConnectionRecord r) throws IOException {
        g.writeStartObject();
        string(g, "type", r.type());
        string(g, "time", r.time());
        string(g, "id", r.id());
        string(g, "listener", r.listener());
        string(g, "client", r.client());
        string(g, "target", r.target());
        string(g, "sni", r.sni());
        string(g, "verdict", r.verdict());
        string(g, "reason", r.reason());
        tls(g, "client_tls", r.clientTls());
        tls(g, "upstream_tls", r.upstreamTls());
        UpstreamCertificateSummary cert = r.upstreamCertificate();
        if (cert != null) {
            g.writeObjectFieldStart("upstream_certificate");
            string(g, "subject", cert.subject());
            string(g, "issuer", cert.issuer());
            string(g, "validation", cert.validation());
            string(g, "problem", cert.problem());
            g.writeEndObject();
        }
        HandshakeFingerprints f = r.fingerprints();
        if (f != null) {
            g.writeObjectFieldStart("fingerprints");
            string(g, "ja3", f.ja3());
            string(g, "ja4", f.ja4());
            string(g, "ja3s", f.ja3s());
            string(g, "ja4s", f.ja4s());
            g.writeEndObject();
        }
        if (r.chain() != null) {
            g.writeArrayFieldStart("chain");
            for (String service : r.chain()) {
                g.writeString(service);
            }
            g.writeEndArray();
        }
        g.writeNumberField("bytes_up", r.bytesUp());
        g.writeNumberField("bytes_down", r.bytesDown());
        g.writeNumberField("duration_ms", r.durationMs());
        string(g, "close_reason", r.closeReason());
        g.writeEndObject();
    }

    private static void tls(JsonGenerator g, String name, TlsSummary tls) throws IOException {
        if (tls != null) {
            g.writeObjectFieldStart(name);
            string(g, "version", tls.version());
            string(g, "cipher", tls.cipher());
            string(g, "alpn", tls.alpn());
            g.writeEndObject();
        }
    }

    private static void icap(JsonGenerator g, List<IcapResult> results) throws IOException {
        if (results == null) {
            return;
        }
        g.writeArrayFieldStart("icap");
        for (IcapResult i : results) {
            g.writeStartObject();
            string(g, "service", i.service());
            string(g, "mode", i.mode());
            string(g, "result", i.result());
            string(g, "reason", i.reason());
            string(g, "server", i.server());
            g.writeNumberField("ms", i.ms());
            string(g, "threat", i.threat());
            string(g, "category", i.category());
            string(g, "resolution", i.resolution());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }
}
