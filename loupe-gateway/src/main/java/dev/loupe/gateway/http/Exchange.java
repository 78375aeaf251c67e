package dev.loupe.gateway.http;

import dev.loupe.core.log.ExchangeRecord;
import dev.loupe.gateway.session.Session;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Instant;

/** One request/response pair in flight; event-loop confined like its session. */
final class Exchange {
    final int sequence;
    final String method;
    final String url;
    final HttpVersion clientVersion;
    /** Cleared when the gateway drains: the response then says Connection: close. */
    boolean clientKeepAlive;
    final boolean head;
    final boolean upgradeRequested;
    private final Instant start = Instant.now();
    private final long startNanos = System.nanoTime();
    long firstByteNanos;
    long requestBytes;
    long responseBytes;
    int status;
    boolean closeClientAfter;
    /** The request is with the REQMOD services: nothing of it has gone upstream yet. */
    boolean requestHeld;
    /** Which inline device carried the exchange (or why none did); null without inline services. */
    String inline;
    /** The request head as sent upstream; RESPMOD services get it for context. */
    io.netty.handler.codec.http.HttpRequest request;
    /** Outcomes of the ICAP services, in order; null when none is configured. */
    java.util.List<dev.loupe.core.log.IcapResult> icap;
    /** The client's framing as logged: its HTTP/1.x version, or HTTP/2 for a stream. */
    String protocol;
    /** The exchange as its stages see it, and the request's run through them (its response goes back through). */
    StagedExchange view;
    StageRun requestRun;
    /** grpc-status of a gRPC call, from the response head (trailers-only) or its trailers. */
    String grpcStatus;

    Exchange(int sequence, String method, String url, HttpVersion clientVersion, boolean clientKeepAlive,
             boolean upgradeRequested) {
        this.sequence = sequence;
        this.method = method;
        this.url = url;
        this.clientVersion = clientVersion;
        this.clientKeepAlive = clientKeepAlive;
        this.head = "HEAD".equals(method);
        this.upgradeRequested = upgradeRequested;
        this.protocol = clientVersion.text();
    }

    /** Notes a gRPC status if these headers (a response head or its trailers) carry one. */
    void grpcStatusFrom(io.netty.handler.codec.http.HttpHeaders headers) {
        String value = headers.get("grpc-status");
        if (value != null) {
            grpcStatus = value;
        }
    }

    void icap(java.util.List<dev.loupe.core.log.IcapResult> results) {
        if (icap == null) {
            icap = new java.util.ArrayList<>(results);
        } else {
            icap.addAll(results);
        }
    }

    void responseStarted(int status) {
        this.status = status;
        this.firstByteNanos = System.nanoTime();
    }

    /** Nanoseconds from the request's first byte to the response head. */
    long firstByteNanos() {
        return firstByteNanos - startNanos;
    }

    void log(Session session, String outcome) {
        long now = System.nanoTime();
        long firstByteMs = firstByteNanos == 0 ? -1 : (firstByteNanos - startNanos) / 1_000_000;
        session.logExchange(new ExchangeRecord("exchange", start.toString(), session.id(), sequence, method, url,
                status, requestBytes, responseBytes, firstByteMs, (now - startNanos) / 1_000_000, outcome, icap, inline,
                protocol, grpcStatus));
    }
}
