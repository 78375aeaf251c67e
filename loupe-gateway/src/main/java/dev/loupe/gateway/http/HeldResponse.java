package dev.loupe.gateway.http;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.log.IcapResult;
import dev.loupe.gateway.pipeline.BodySpool;
import dev.loupe.gateway.session.Session;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * A response held whole for the stages that asked for its body, then delivered as they decided (as it was, as a
 * stage rewrote it, or refused); and a response a stage produced for a request. Part of {@link ResponseForwarder},
 * which streams every other response straight through.
 */
final class HeldResponse {
    private final ResponseForwarder forwarder;
    private final HttpRelay relay;
    private final ExchangeTracker tracker;
    private final Session session;
    /** The response being collected, null when none is. */
    private Capture capture;
    /** A held response is with the stages or on its way to the client: the upstream may go. */
    private boolean delivering;
    /** The held start of a response that outgrew every limit, on its way to the client unseen. */
    private OverflowDrain drain;
    /** The upstream closed while the response was with the stages: the client connection ends after it. */
    private boolean closeAfterDelivery;

    private static final class Capture {
        final Exchange exchange;
        final StageRun run;
        final BodySpool body;
        HttpResponse rewritten;

        Capture(Exchange exchange, StageRun run, BodySpool body) {
            this.exchange = exchange;
            this.run = run;
            this.body = body;
        }
    }

    HeldResponse(ResponseForwarder forwarder, HttpRelay relay, ExchangeTracker tracker, Session session) {
        this.forwarder = forwarder;
        this.relay = relay;
        this.tracker = tracker;
        this.session = session;
    }

    void start(Exchange exchange, StageRun run) {
        capture = new Capture(exchange, run, relay.newSpool());
    }

    boolean collecting() {
        return capture != null;
    }

    boolean draining() {
        return drain != null;
    }

    boolean delivering() {
        return delivering;
    }

    /** The head as the client will get it, should the stages let the response pass unchanged. */
    void rewritten(HttpResponse head) {
        capture.rewritten = head;
    }

    void append(HttpContent content) {
        drain.append(content);
    }

    void collect(HttpContent content, boolean upstreamKeepAlive) {
        Capture c = capture;
        try {
            c.body.append(content.content());
        } catch (RuntimeException e) {
            content.release();
            capture = null;
            c.body.close();
            forwarder.failCurrent(new ErrorPage(502, "Cannot hold the response", String.valueOf(e.getMessage()),
                    relay.origin().host()));
            return;
        }
        content.release();
        if (c.body.length() > c.run.limit()) { // beyond it no stage would take the body
            outgrown(c, content instanceof LastHttpContent);
            return;
        }
        if (!(content instanceof LastHttpContent)) {
            return;
        }
        capture = null;
        delivering = true;
        c.body.finish();
        c.run.bodies(c.body, outcome -> decided(c, outcome, upstreamKeepAlive));
    }

    /**
     * The body outgrew every limit asked for (a length the head did not declare): no stage will see it. Refused
     * if a stage says so; otherwise what was held goes to the client, then the rest streams through.
     */
    private void outgrown(Capture c, boolean complete) {
        capture = null;
        if (c.run.overLimit() instanceof StageRun.Stop stop) {
            c.body.close();
            forwarder.failCurrent(stop.page());
            if (relay.upstream() != null) {
                relay.upstream().close();
            }
            return;
        }
        relay.client().write(c.rewritten);
        drain = new OverflowDrain(relay.client(), c.body, c.exchange, complete);
        if (relay.upstream() != null) {
            relay.upstream().config().setAutoRead(false); // let the client catch up before reading more
        }
        drain.pump(whole -> {
            drain = null;
            if (whole == null) {
                return; // the client is gone
            }
            if (whole) {
                forwarder.body(c.exchange, LastHttpContent.EMPTY_LAST_CONTENT);
            } else {
                relay.client().flush();
                relay.updateUpstreamReads(); // caught up: the rest streams straight through
            }
        });
    }

    private void decided(Capture c, StageRun.Outcome outcome, boolean upstreamKeepAlive) {
        if (!relay.client().isActive()) {
            delivering = false;
            tracker.finished();
            c.exchange.log(session, "client gone");
            if (outcome instanceof StageRun.Go go && go.body() != null) {
                go.body().close();
            }
            return;
        }
        switch (outcome) {
            case StageRun.Go go -> {
                HttpResponse head = go.replaced()
                        ? ClientResponseHead.produced(c.exchange, (HttpResponse) go.head(), go.body()) : c.rewritten;
                deliver(c.exchange, head, go.body(), upstreamKeepAlive);
            }
            case StageRun.Stop stop -> {
                delivering = false;
                forwarder.failCurrent(stop.page());
            }
            case StageRun.Answer answer -> throw new IllegalStateException("a response cannot be answered");
        }
    }

    /** A stage answered the request (a block page): deliver it; the origin never saw the request. */
    void respondLocally(Exchange exchange, HttpResponse response, BodySpool body) {
        exchange.responseStarted(response.status().code());
        exchange.closeClientAfter = !exchange.clientKeepAlive;
        delivering = true;
        deliver(exchange, ClientResponseHead.produced(exchange, response, body), body, true);
    }

    private void deliver(Exchange exchange, HttpResponse head, BodySpool body, boolean upstreamReusable) {
        Channel client = relay.client();
        client.write(head);
        SpoolPump.start(client, body, n -> exchange.responseBytes += n, written -> {
            delivering = false;
            tracker.finished();
            boolean blocked = exchange.icap != null && exchange.icap.stream()
                    .anyMatch(r -> r.result().equals(IcapResult.BLOCKED));
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

    /**
     * The upstream closed. True when that loses nothing here (the whole response is in hand: in the drain, or
     * with the stages); else a partial capture is let go and the forwarder deals with the close.
     */
    boolean upstreamClosed() {
        if (drain != null && drain.complete()) {
            return true;
        }
        if (delivering) {
            // a tunnel without its origin cannot serve another request
            closeAfterDelivery = !relay.reconnectable();
            return true;
        }
        if (capture != null) {
            capture.body.close();
            capture = null;
        }
        return false;
    }
}
