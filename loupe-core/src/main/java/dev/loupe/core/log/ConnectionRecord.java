package dev.loupe.core.log;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One access-log line per client connection, written when it closes.
 *
 * @param verdict     decrypt, relay (bytes untouched), http (plain HTTP proxying), error-page, reject
 * @param bytesUp     bytes received from the client (on the wire, so TLS records included)
 * @param bytesDown   bytes sent to the client
 * @param closeReason why the connection ended, e.g. "client closed", "upstream closed", "idle timeout"
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConnectionRecord(
        String type,
        String time,
        String id,
        String listener,
        String client,
        String target,
        String sni,
        String verdict,
        String reason,
        TlsSummary clientTls,
        TlsSummary upstreamTls,
        UpstreamCertificateSummary upstreamCertificate,
        HandshakeFingerprints fingerprints,
        java.util.List<String> chain,
        long bytesUp,
        long bytesDown,
        long durationMs,
        String closeReason) {
}
