package dev.loupe.gateway.http;

import dev.loupe.gateway.pipeline.BodySpool;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** Turns a response head into the one the client gets: Loupe's own framing, in the client's HTTP version. */
final class ClientResponseHead {
    private ClientResponseHead() {
    }

    /** A 101: only the upgrade survives of the connection headers. */
    static void switching(HttpResponse response) {
        String protocol = response.headers().get(HttpHeaderNames.UPGRADE);
        HopByHopHeaders.strip(response.headers());
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        if (protocol != null) {
            response.headers().set(HttpHeaderNames.UPGRADE, protocol);
        }
    }

    /**
     * The origin's head, reframed: its length, else chunked (or, for an HTTP/1.0 client, the end of the
     * connection); the client connection is closed after it when the client asked, or when the upstream cannot
     * serve another request and cannot be replaced.
     */
    static void relayed(Exchange exchange, HttpResponse response, boolean bodyless, boolean upstreamKeepAlive,
                        boolean reconnectable) {
        boolean lengthKnown = response.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
        HopByHopHeaders.strip(response.headers());
        boolean http10Client = exchange.clientVersion.equals(HttpVersion.HTTP_1_0);
        exchange.closeClientAfter = !exchange.clientKeepAlive || (!upstreamKeepAlive && !reconnectable);
        if (!bodyless && !lengthKnown) {
            if (http10Client) {
                exchange.closeClientAfter = true; // an HTTP/1.0 client learns the end from the close
            } else {
                HttpUtil.setTransferEncodingChunked(response, true);
            }
        }
        response.setProtocolVersion(exchange.clientVersion);
        connection(exchange, response);
    }

    /** A response a stage produced (e.g. an AV block page), its body in {@code body}: framed by its length. */
    static HttpResponse produced(Exchange exchange, HttpResponse given, BodySpool body) {
        // the body follows from the spool: a head that says it is complete would end the message before it
        HttpResponse head = given instanceof FullHttpResponse full
                ? new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers()) : given;
        if (head != given) {
            ((FullHttpResponse) given).release();
        }
        HopByHopHeaders.strip(head.headers());
        head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        HttpUtil.setContentLength(head, body == null ? 0 : body.length());
        head.setProtocolVersion(exchange.clientVersion);
        connection(exchange, head);
        exchange.status = head.status().code();
        return head;
    }

    private static void connection(Exchange exchange, HttpResponse head) {
        if (exchange.closeClientAfter) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (exchange.clientVersion.equals(HttpVersion.HTTP_1_0)) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }
}
