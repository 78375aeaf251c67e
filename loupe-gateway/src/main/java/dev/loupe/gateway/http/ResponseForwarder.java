package dev.loupe.gateway.http;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.gateway.session.Session;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import dev.loupe.gateway.pipeline.BodySpool;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
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

    /** The response being held for the stages that asked for its body, null when streaming straight through. */
    private Capture capture;
    /** A held response is with the stages or on its way to the client: the upstream may go. */
    private boolean adapting;
    /** The held start of a response that outgrew every limit, on its way to the client unscanned. */
    private Drain drain;

    private static final class Drain {
        final BodySpool spool;
        final BodySpool.Reader reader;
        final Exchange exchange;
        boolean lastSeen;

        Drain(BodySpool spool, Exchange exchange, boolean lastSeen) {
            this.spool = spool;
            this.reader = spool.reader(0);
            this.exchange = exchange;
            this.lastSeen = lastSeen;
        }
    }
    private boolean closeAfterDelivery;

    private static final class Capture {
        final Exchange exchange;
        final StageRun run;
        final BodySpool body;
        /** Beyond this many body bytes no stage would take it (computed once, checked per read). */
        final long limit;
        HttpResponse rewritten;

        Capture(Exchange exchange, StageRun run, BodySpool body) {
            this.exchange = exchange;
            this.run = run;
            this.body = body;
            this.limit = run.limit();
        }
    }

    ResponseForwarder(HttpRelay relay, ExchangeTracker tracker, Session session) {
        this.relay = relay;
        this.tracker = tracker;
        this.session = session;
    }

    void forward(Object msg) {
        Exchange exchange = tracker.current();
        if (adapting || (exchange != null && exchange.requestHeld)) {
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
                capture = new Capture(exchange, run, relay.newSpool());
            }
        }
        HopByHopHeaders.strip(response.headers());
        boolean http10Client = exchange.clientVersion.equals(HttpVersion.HTTP_1_0);
        exchange.closeClientAfter = !exchange.clientKeepAlive || (!upstreamKeepAlive && !relay.reconnectable());
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
        if (capture != null) {
            capture.rewritten = response;
            return;
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
        if (capture != null) {
            collect(content);
            return;
        }
        if (drain != null) {
            // still writing out what was held: queue behind it (on disk), in order
            drain.spool.append(content.content());
            drain.lastSeen |= content instanceof LastHttpContent;
            content.release();
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

    // ---- RESPMOD: collect the response, let the services look at it, then deliver their verdict ----------

    private void collect(HttpContent content) {
        Capture c = capture;
        try {
            c.body.append(content.content());
        } catch (RuntimeException e) {
            content.release();
            capture = null;
            c.body.close();
            failCurrent(new ErrorPage(502, "Cannot hold the response", String.valueOf(e.getMessage()),
                    relay.origin().host()));
            return;
        }
        content.release();
        if (c.body.length() > c.limit) {
            outgrown(c, content instanceof LastHttpContent);
            return;
        }
        if (!(content instanceof LastHttpContent)) {
            return;
        }
        capture = null;
        adapting = true;
        c.body.finish();
        c.run.bodies(c.body, outcome -> adapted(c, outcome));
    }

    /**
     * The body outgrew every selected service's limit (a length the head did not declare): no service will
     * see it. Blocked if a service says so; otherwise what was held goes to the client, then the rest
     * streams through as if no service were configured.
     */
    private void outgrown(Capture c, boolean complete) {
        capture = null;
        if (c.run.overLimit() instanceof StageRun.Stop stop) {
            c.body.close();
            failCurrent(stop.page());
            if (relay.upstream() != null) {
                relay.upstream().close();
            }
            return;
        }
        relay.client().write(c.rewritten);
        drain = new Drain(c.body, c.exchange, complete);
        if (relay.upstream() != null) {
            relay.upstream().config().setAutoRead(false); // let the client catch up before reading more
        }
        pumpDrain();
    }

    private void pumpDrain() {
        Drain d = drain;
        Channel client = relay.client();
        if (!client.isActive()) {
            d.spool.close();
            drain = null;
            return;
        }
        io.netty.channel.ChannelFuture last = null;
        while (d.reader.hasRemaining() && client.isWritable()) {
            io.netty.buffer.ByteBuf piece = d.reader.next(64 * 1024);
            d.exchange.responseBytes += piece.readableBytes();
            last = client.write(new io.netty.handler.codec.http.DefaultHttpContent(piece));
        }
        if (d.reader.hasRemaining()) {
            if (last == null) {
                last = client.write(new io.netty.handler.codec.http.DefaultHttpContent(io.netty.buffer.Unpooled.EMPTY_BUFFER));
            }
            client.flush();
            last.addListener(f -> pumpDrain());
            return;
        }
        d.spool.close();
        drain = null;
        if (d.lastSeen) {
            body(d.exchange, LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            client.flush();
            relay.updateUpstreamReads(); // caught up: the rest streams straight through
        }
    }

    private void adapted(Capture c, StageRun.Outcome outcome) {
        if (!relay.client().isActive()) {
            adapting = false;
            tracker.finished();
            c.exchange.log(session, "client gone");
            if (outcome instanceof StageRun.Go go && go.body() != null) {
                go.body().close();
            }
            return;
        }
        switch (outcome) {
            case StageRun.Go go -> {
                HttpResponse head = go.replaced() ? adaptedHead(c.exchange, (HttpResponse) go.head(), go.body())
                        : c.rewritten;
                deliver(c.exchange, head, go.body(), upstreamKeepAlive);
            }
            case StageRun.Stop stop -> {
                adapting = false;
                failCurrent(stop.page());
            }
            case StageRun.Answer answer -> throw new IllegalStateException("a response cannot be answered");
        }
    }

    /** A response a stage produced (e.g. an AV block page): Loupe's framing, the client's version. */
    private static HttpResponse adaptedHead(Exchange exchange, HttpResponse given, BodySpool body) {
        // the body follows from the spool: a head that says it is complete would end the message before it
        HttpResponse head = given instanceof io.netty.handler.codec.http.FullHttpResponse full
                ? new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers()) : given;
        if (head != given) {
            ((io.netty.handler.codec.http.FullHttpResponse) given).release();
        }
        HopByHopHeaders.strip(head.headers());
        head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        HttpUtil.setContentLength(head, body == null ? 0 : body.length());
        head.setProtocolVersion(exchange.clientVersion);
        if (exchange.closeClientAfter) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (exchange.clientVersion.equals(HttpVersion.HTTP_1_0)) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        exchange.status = head.status().code();
        return head;
    }

    /** A stage answered the request (a block page): deliver it; the origin never saw the request. */
    void respondLocally(Exchange exchange, HttpResponse response, BodySpool body) {
        exchange.responseStarted(response.status().code());
        exchange.closeClientAfter = !exchange.clientKeepAlive;
        adapting = true;
        deliver(exchange, adaptedHead(exchange, response, body), body, true);
    }

    private void deliver(Exchange exchange, HttpResponse head, BodySpool body, boolean upstreamReusable) {
        Channel client = relay.client();
        client.write(head);
        SpoolPump.start(client, body, n -> exchange.responseBytes += n, written -> {
            adapting = false;
            tracker.finished();
            boolean blocked = exchange.icap != null && exchange.icap.stream()
                    .anyMatch(r -> r.result().equals(dev.loupe.core.log.IcapResult.BLOCKED));
            exchange.log(session, !written.isSuccess() ? "client gone" : blocked ? "blocked by icap" : "relayed");
            if (exchange.closeClientAfter || !written.isSuccess() || closeAfterDelivery) {
                session.closeReason(!written.isSuccess() ? "client closed during delivery"
                        : closeAfterDelivery ? "upstream closed during adaptation" : "client asked to close");
                closeAfterDelivery = false;
                written.addListener(ChannelFutureListener.CLOSE);
            }
            relay.responseComplete(upstreamReusable);
        });
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
        if (drain != null && drain.lastSeen) {
            return; // the rest of the response is in the spool, on its way out
        }
        if (adapting) {
            // the whole response is in hand; a tunnel without its origin cannot serve another request
            closeAfterDelivery = !relay.reconnectable();
            return;
        }
        Exchange held = tracker.current();
        if (held != null && held.requestHeld) {
            relay.dropUpstream(); // the request has not gone out yet: it reconnects, or fails, when it does
            return;
        }
        if (capture != null) {
            capture.body.close();
            capture = null;
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
