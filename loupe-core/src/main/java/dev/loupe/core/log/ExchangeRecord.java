package dev.loupe.core.log;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One access-log line per HTTP request/response exchange.
 *
 * @param requestBytes  request body bytes relayed
 * @param responseBytes response body bytes relayed
 * @param firstByteMs   from the request's first byte to the response's headers
 * @param totalMs       from the request's first byte to the response's last byte
 * @param inline        the inline device that carried the exchange, or why none did; null without inline services
 * @param icap          what each ICAP service did with the request and the response; null when none is configured
 * @param protocol      the client's framing: {@code HTTP/1.1} (or 1.0) or {@code HTTP/2}
 * @param grpcStatus    a gRPC call's status (from its trailers, or a trailers-only answer); null for other exchanges
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExchangeRecord(
        String type,
        String time,
        String connection,
        int sequence,
        String method,
        String url,
        int status,
        long requestBytes,
        long responseBytes,
        long firstByteMs,
        long totalMs,
        String outcome,
        java.util.List<IcapResult> icap,
        String inline,
        String protocol,
        String grpcStatus) {
}
