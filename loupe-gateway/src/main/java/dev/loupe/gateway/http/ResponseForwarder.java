package dev.loupe.gateway.http;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.gateway.session.Session;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/** Origin → client half of {@link HttpRelay}: rewrites response heads and streams response bodies. */
final class ResponseForwarder {
    private final HttpRelay relay;
    private final ExchangeTracker tracker;
    private final Session session;
    /** The upstream's LastHttpContent after an interim (1xx) response must not end the exchange. */
    private boolean interim;
    private boolean upstreamKeepAlive;
    private boolean switching;

    ResponseForwarder(HttpRelay relay, ExchangeTracker tracker, Session session) {
        this.relay = relay;
        this.tracker = tracker;
        this.session = session;
    }

    void forward(Object msg) {
        Exchange exchange = tracker.current();
        if (exchange != null && msg instanceof io.netty.handler.codec.http.HttpObject o && o.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            malformed(exchange, o.decoderResult().cause());
            return;
        }
        if (exchange == null) {
            // The origin spoke out of turn (no request outstanding): nothing to deliver it to.
            ReferenceCountUtil.release(msg);
            session.closeReason("upstream sent a response without a request");
            relay.client().close();
            return;
        }
        if (msg instanceof HttpResponse response) {
            head(exchange, response);
        }
        if (msg instanceof HttpContent content) {
            body(exchange, content);
        }
    }

    private void head(Exchange exchange, HttpResponse response) {
        int code = response.status().code();
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL && code != 101) {
            interim = true;
            // 100 Continue and friends: pass on the status only (never to HTTP/1.0 clients, RFC 9110
            // §15.2); the real response follows.
            if (!exchange.clientVersion.equals(HttpVersion.HTTP_1_0)) {
                relay.client().write(new DefaultFullHttpResponse(exchange.clientVersion, response.status()));
            }
            return;
        }
        interim = false;
        exchange.responseStarted(code);
        if (code == 101 && exchange.upgradeRequested) {
            switching = true;
            String protocol = response.headers().get(HttpHeaderNames.UPGRADE);
            HopByHopHeaders.strip(response.headers());
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            if (protocol != null) {
                response.headers().set(HttpHeaderNames.UPGRADE, protocol);
            }
            relay.client().write(response);
            return;
        }
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        boolean lengthKnown = response.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
        boolean bodyUntilClose = !lengthKnown && !HttpUtil.isTransferEncodingChunked(response)
                && !(exchange.head || code == 204 || code == 304);
        if (bodyUntilClose) {
            upstreamKeepAlive = false; // the body ends when the origin closes: that connection is spent
        }
        HopByHopHeaders.strip(response.headers());
        boolean bodyless = exchange.head || code == 204 || code == 304;
        boolean http10Client = exchange.clientVersion.equals(HttpVersion.HTTP_1_0);
        exchange.closeClientAfter = !exchange.clientKeepAlive || (!upstreamKeepAlive && relay.tunnel());
        if (!bodyless && !lengthKnown) {
            if (http10Client) {
                exchange.closeClientAfter = true; // an HTTP/1.0 client learns the end from the close
            } else {
                HttpUtil.setTransferEncodingChunked(response, true);
            }
        }
        response.setProtocolVersion(exchange.clientVersion);
        if (exchange.closeClientAfter) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10Client) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        relay.client().write(response);
    }

    private void body(Exchange exchange, HttpContent content) {
        if (interim) {
            content.release();
            if (content instanceof LastHttpContent) {
                relay.client().flush();
            }
            return;
        }
        if (switching) {
            // the decoder ends a 101 with an empty last content; everything after it is raw bytes
            content.release();
            tracker.finished();
            exchange.log(session, "upgraded");
            relay.client().flush();
            switching = false;
            relay.switchToBytes();
            return;
        }
        exchange.responseBytes += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        Channel client = relay.client();
        if (!last) {
            client.write(content, client.voidPromise());
            return;
        }
        tracker.finished();
        exchange.log(session, "relayed");
        var written = client.writeAndFlush(content);
        if (exchange.closeClientAfter) {
            session.closeReason(upstreamKeepAlive ? "client asked to close" : "upstream closed after response");
            written.addListener(ChannelFutureListener.CLOSE);
        }
        relay.responseComplete(upstreamKeepAlive);
    }

    /** Answers the current exchange with a page of Loupe's own, then closes the client connection. */
    void failCurrent(ErrorPage page) {
        Exchange exchange = tracker.finished();
        if (exchange != null) {
            exchange.responseStarted(page.status());
            exchange.log(session, (page.status() == 403 ? "blocked: " : "error: ") + page.problem());
        }
        session.closeReason(page.title() + ": " + page.problem());
        relay.client().writeAndFlush(HttpResponses.errorPage(page, null))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** The origin's response could not be parsed: a 502 if nothing was sent yet, else cut the client off. */
    private void malformed(Exchange exchange, Throwable cause) {
        if (exchange.status == 0) {
            failCurrent(new ErrorPage(502, "Malformed response from the origin", String.valueOf(cause.getMessage()),
                    relay.origin().host()));
        } else {
            session.closeReason("malformed response from the origin: " + cause.getMessage());
            tracker.finished();
            exchange.log(session, "truncated");
            relay.client().close();
        }
        if (relay.upstream() != null) {
            relay.upstream().close();
        }
    }

    void upstreamClosed() {
        Exchange exchange = tracker.current();
        if (exchange == null) {
            if (relay.tunnel()) {
                session.closeReason("upstream closed");
                // flush first: the last part of a response may still be on its way to the client
                dev.loupe.gateway.relay.ByteRelayHandler.closeOnFlush(relay.client());
            }
            return;
        }
        if (exchange.status == 0) {
            failCurrent(new ErrorPage(502, "Upstream closed the connection",
                    "the origin closed the connection before answering", relay.origin().host()));
        } else {
            // The response was cut short; closing tells the client it is incomplete.
            session.closeReason("upstream closed mid-response");
            tracker.finished();
            exchange.log(session, "truncated");
            relay.client().close();
        }
    }
}
