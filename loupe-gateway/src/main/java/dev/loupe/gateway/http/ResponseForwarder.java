package dev.loupe.gateway.http;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.gateway.session.Session;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import dev.loupe.gateway.pipeline.BodySpool;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
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

    /** The response being held for the stages that asked for its body. */
    private final HeldResponse held;

    ResponseForwarder(HttpRelay relay, ExchangeTracker tracker, Session session) {
        this.relay = relay;
        this.tracker = tracker;
        this.session = session;
        this.held = new HeldResponse(this, relay, tracker, session);
    }

    void forward(Object msg) {
        Exchange exchange = tracker.current();
        if (held.delivering() || (exchange != null && exchange.requestHeld)) {
            // nothing is outstanding on the upstream: whatever it sends now answers no request
            ReferenceCountUtil.release(msg);
            session.closeReason("upstream sent a response without a request");
            if (relay.upstream() != null) {
                relay.upstream().close();
            }
            return;
        }
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
        exchange.grpcStatusFrom(response.headers());
        if (exchange.inline != null) {
            relay.inlineAnswered(exchange.firstByteNanos());
        }
        if (code == 101 && exchange.upgradeRequested) {
            switching = true;
            ClientResponseHead.switching(response);
            relay.client().write(response);
            return;
        }
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        boolean bodyUntilClose = !response.headers().contains(HttpHeaderNames.CONTENT_LENGTH) && !HttpUtil.isTransferEncodingChunked(response)
                && !(exchange.head || code == 204 || code == 304);
        if (bodyUntilClose) {
            upstreamKeepAlive = false; // the body ends when the origin closes: that connection is spent
        }
        boolean bodyless = exchange.head || code == 204 || code == 304;
        if (!bodyless && exchange.requestRun != null
                && !"0".equals(response.headers().get(HttpHeaderNames.CONTENT_LENGTH))) {
            // back through the stages the request passed, in reverse; they see the origin's own head
            StageRun run = new StageRun(exchange.requestRun.ran().reversed(), exchange.view, false);
            StageRun.Outcome outcome = run.heads(response);
            if (outcome instanceof StageRun.Stop stop) {
                failCurrent(stop.page());
                if (relay.upstream() != null) {
                    relay.upstream().close(); // the body is not wanted
                }
                return;
            }
            if (outcome == null) {
                held.start(exchange, run);
            }
        }
        ClientResponseHead.relayed(exchange, response, bodyless, upstreamKeepAlive, relay.reconnectable());
        if (held.collecting()) {
            held.rewritten(response);
            return;
        }
        relay.client().write(response);
    }

    void body(Exchange exchange, HttpContent content) {
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
        if (held.collecting()) {
            held.collect(content, upstreamKeepAlive);
            return;
        }
        if (held.draining()) {
            held.append(content); // still writing out what was held: queued behind it, in order
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
        exchange.grpcStatusFrom(((LastHttpContent) content).trailingHeaders());
        exchange.log(session, "relayed");
        var written = client.writeAndFlush(content);
        if (exchange.closeClientAfter) {
            session.closeReason(upstreamKeepAlive ? "client asked to close" : "upstream closed after response");
            written.addListener(ChannelFutureListener.CLOSE);
        }
        relay.responseComplete(upstreamKeepAlive);
    }

    /** A stage answered the request (a block page): deliver it; the origin never saw the request. */
    void respondLocally(Exchange exchange, HttpResponse response, BodySpool body) {
        held.respondLocally(exchange, response, body);
    }

    /** Answers the current exchange with a page of Loupe's own, then closes the client connection. */
    void failCurrent(ErrorPage page) {
        Exchange exchange = tracker.finished();
        if (exchange != null) {
            exchange.responseStarted(page.status());
            exchange.log(session, (page.status() < 300 ? "answered: " : page.status() == 403 ? "blocked: " : "error: ")
                    + page.problem());
        }
        session.closeReason(page.title() + ": " + page.problem());
        relay.client().writeAndFlush(HttpResponses.errorPage(page, null))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** The origin's response could not be parsed: a 502 if nothing was sent yet, else cut the client off. */
    private void malformed(Exchange exchange, Throwable cause) {
        if (exchange.status == 0) {
            failCurrent(new ErrorPage(502, "Malformed response from the origin",
                    Http2AnswerDetector.malformedReason(relay.upstream(), String.valueOf(cause.getMessage())),
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
        if (held.upstreamClosed()) {
            return; // the whole response is in hand
        }
        Exchange held = tracker.current();
        if (held != null && held.requestHeld) {
            relay.dropUpstream(); // the request has not gone out yet: it reconnects, or fails, when it does
            return;
        }
        Exchange exchange = tracker.current();
        if (exchange == null) {
            if (relay.reconnectable()) {
                relay.dropUpstream(); // an idle device connection: the next request opens another
                return;
            }
            if (relay.stream()) {
                return; // an HTTP/2 stream closes once its exchange is over; the connection goes on
            }
            if (relay.tunnel()) {
                session.closeReason("upstream closed");
                // flush first: the last part of a response may still be on its way to the client
                dev.loupe.gateway.relay.ByteRelayHandler.closeOnFlush(relay.client());
            }
            return;
        }
        String device = relay.inlineDevice();
        if (device != null) {
            session.closeReason("inline service " + device + " ended the connection");
        }
        if (exchange.status == 0) {
            failCurrent(device != null
                    ? new ErrorPage(502, "Stopped by inline service " + device,
                            "the inline service ended the connection before an answer came back", relay.origin().host())
                    : new ErrorPage(502, "Upstream closed the connection",
                            Http2AnswerDetector.closedReason(relay.originChoseNoAlpn()), relay.origin().host()));
        } else {
            // The response was cut short; closing tells the client it is incomplete.
            session.closeReason("upstream closed mid-response");
            tracker.finished();
            exchange.log(session, "truncated");
            relay.client().close();
        }
    }
}
