package dev.loupe.gateway.http;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.http.RequestChecks;
import dev.loupe.core.http.RequestTargets;
import dev.loupe.core.net.Origin;
import dev.loupe.gateway.inline.FlowRegistry;
import dev.loupe.gateway.pipeline.BodySpool;
import dev.loupe.gateway.session.Session;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;

/**
 * Client → origin half of {@link HttpRelay}: checks each request head, finds its destination
 * ({@link RequestTarget}), runs the request through the stages ({@link StageRun}) and streams it upstream, or
 * holds it whole when a stage asked for the body.
 */
final class RequestForwarder {
    private final HttpRelay relay;
    private final ExchangeTracker tracker;
    private final Session session;
    /** The exchange whose request body is arriving; null when it was refused (its body is dropped). */
    private Exchange current;
    /** Where the current request goes. */
    private UpstreamLeg.Hop hop;
    /** The request being held for the stages that asked for its body, null when streaming straight through. */
    private Held capture;
    /**
     * Requests the HTTP decoder produced while an exchange is still outstanding (a pipelining client,
     * or several requests in one read): they wait here, in order, until the response is complete.
     */
    private final ArrayDeque<Object> held = new ArrayDeque<>();

    private record Held(Exchange exchange, HttpRequest request, Origin to, BodySpool body) {
    }

    RequestForwarder(HttpRelay relay, ExchangeTracker tracker, Session session) {
        this.relay = relay;
        this.tracker = tracker;
        this.session = session;
    }

    void forward(Object msg) {
        if (!held.isEmpty() || (msg instanceof HttpRequest && !tracker.idle())) {
            held.add(msg);
            if (held.size() == 1) {
                relay.updateClientReads(); // one exchange at a time: read no more until this one's turn
            }
            return;
        }
        dispatch(msg);
    }

    /** A request (or what follows it) waits for the response now outstanding. */
    boolean holding() {
        return !held.isEmpty();
    }

    /** Forwards held requests, in order, once the previous response is complete. */
    void releaseHeld() {
        while (!held.isEmpty()) {
            if (held.peekFirst() instanceof HttpRequest && !tracker.idle()) {
                return; // the next request waits for the response now outstanding
            }
            dispatch(held.pollFirst());
        }
    }

    /** The client is gone: release what it sent that never went anywhere. */
    void dropHeld() {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
        if (capture != null) {
            capture.body().close();
            capture = null;
        }
    }

    private void dispatch(Object msg) {
        if (!(msg instanceof HttpRequest) && msg instanceof HttpObject o && o.decoderResult().isFailure()) {
            // a broken body (e.g. a bad chunk): the origin must not take the truncated body as complete
            ReferenceCountUtil.release(msg);
            if (current != null) {
                current = null;
                relay.failExchange(new ErrorPage(400, "Bad request",
                        "malformed request body: " + o.decoderResult().cause().getMessage(), pageHost()));
            }
            return;
        }
        if (msg instanceof HttpRequest request && !head(request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current == null) {
            ReferenceCountUtil.release(msg); // content of a request that was refused
            return;
        }
        if (msg instanceof HttpContent content) {
            current.requestBytes += content.content().readableBytes();
        }
        if (capture != null) {
            collect(msg);
            return;
        }
        relay.toUpstream(hop, msg);
        if (msg instanceof LastHttpContent) {
            relay.flushUpstream();
            Exchange done = current;
            current = null;
            relay.requestComplete(done);
        }
    }

    /** Returns false when the request goes no further (refused or answered here). */
    private boolean head(HttpRequest request) {
        current = null;
        hop = null;
        if (request.decoderResult().isFailure()) {
            refuse(request, HttpResponses.decoderFailure(request.decoderResult().cause(), pageHost()));
            return false;
        }
        var nameProblem = RequestChecks.headerNameProblem(request.headers().names());
        if (nameProblem.isPresent()) {
            refuse(request, new ErrorPage(400, "Bad request", nameProblem.get(), pageHost()));
            return false;
        }
        RequestTarget.To to;
        switch (relay.target().resolve(relay, request)) {
            case RequestTarget.Refused refused -> {
                refuse(request, refused.page());
                return false;
            }
            case RequestTarget.To t -> to = t;
        }
        boolean upgrade = HopByHopHeaders.isUpgrade(request.headers());
        Exchange exchange = new Exchange(session.nextExchangeSequence(), request.method().name(), to.url(),
                request.protocolVersion(), HttpUtil.isKeepAlive(request), upgrade);
        if (relay.stream()) {
            exchange.protocol = "HTTP/2";
        }
        tracker.started(exchange);
        rewriteHead(request, upgrade);
        exchange.request = request;
        exchange.view = new StagedExchange(exchange, relay, to.host(), to.origin());
        exchange.requestRun = new StageRun(relay.stages(), exchange.view, true);
        StageRun.Outcome outcome = exchange.requestRun.heads(request);
        current = exchange;
        if (outcome == null) {
            hold(exchange, request, to.origin());
            return true;
        }
        return switch (outcome) {
            case StageRun.Go go -> {
                hop = relay.hopFor(exchange, to.origin(), go.route(), request);
                if (hop == null) {
                    current = null;
                }
                yield hop != null;
            }
            case StageRun.Answer answer -> {
                current = null;
                relay.respondLocally(exchange, answer.head(), answer.body());
                yield false;
            }
            case StageRun.Stop stop -> {
                current = null;
                relay.failExchange(stop.page());
                yield false;
            }
        };
    }

    // ---- a request held whole for the stages that asked for its body --------------------------------------

    private void hold(Exchange exchange, HttpRequest request, Origin to) {
        capture = new Held(exchange, request, to, relay.newSpool());
        exchange.requestHeld = true;
        if (HttpUtil.is100ContinueExpected(request)) {
            // the origin sees the request only once it is complete: invite the body ourselves
            request.headers().remove(HttpHeaderNames.EXPECT);
            if (!exchange.clientVersion.equals(HttpVersion.HTTP_1_0)) {
                relay.client().writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.CONTINUE));
            }
        }
    }

    private void collect(Object msg) {
        Held c = capture;
        if (msg instanceof HttpContent content) {
            try {
                c.body().append(content.content());
            } catch (RuntimeException e) {
                ReferenceCountUtil.release(msg);
                capture = null;
                current = null;
                c.body().close();
                relay.failExchange(new ErrorPage(507, "Cannot hold the request", e.getMessage(), c.to().host()));
                return;
            }
        }
        ReferenceCountUtil.release(msg);
        if (!(msg instanceof LastHttpContent)) {
            return;
        }
        capture = null;
        current = null;
        c.body().finish();
        relay.requestComplete(c.exchange());
        c.exchange().requestRun.bodies(c.body(), outcome -> afterStages(c, outcome));
    }

    private void afterStages(Held c, StageRun.Outcome outcome) {
        Exchange exchange = c.exchange();
        exchange.requestHeld = false;
        if (!relay.client().isActive()) {
            tracker.finished();
            exchange.log(session, "client gone");
            release(outcome);
            return;
        }
        switch (outcome) {
            case StageRun.Go go -> send(c, go);
            case StageRun.Answer answer -> relay.respondLocally(exchange, answer.head(), answer.body());
            case StageRun.Stop stop -> relay.failExchange(stop.page());
        }
    }

    private static void release(StageRun.Outcome outcome) {
        BodySpool body = outcome instanceof StageRun.Go go ? go.body()
                : outcome instanceof StageRun.Answer answer ? answer.body() : null;
        if (body != null) {
            body.close();
        }
    }

    /** Sends the (possibly rewritten) request upstream, its body streamed from the spool. */
    private void send(Held c, StageRun.Go go) {
        HttpRequest head = (HttpRequest) go.head();
        if (go.replaced()) {
            prepareRewritten(head, c.request(), c.to(), go.body());
        }
        UpstreamLeg.Hop to = relay.hopFor(c.exchange(), c.to(), go.route(), head);
        if (to == null) {
            release(go);
            return;
        }
        relay.toUpstream(to, head);
        relay.whenUpstreamReady(upstream -> {
            if (upstream == null) {
                release(go);
                return; // the relay has answered with an error page already
            }
            SpoolPump.start(upstream, go.body(), n -> { }, f -> { });
        });
    }

    /** A request head a stage rewrote: origin form, the original Host, framing from the new body. */
    private static void prepareRewritten(HttpRequest head, HttpRequest original, Origin to, BodySpool body) {
        try {
            URI uri = new URI(head.uri());
            if (uri.isAbsolute()) {
                head.setUri(RequestTargets.originForm(uri));
            }
        } catch (URISyntaxException e) {
            head.setUri(original.uri());
        }
        HopByHopHeaders.strip(head.headers());
        head.setProtocolVersion(HttpVersion.HTTP_1_1);
        head.headers().set(HttpHeaderNames.HOST, original.headers().get(HttpHeaderNames.HOST, to.authority()));
        head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        if (body != null) {
            HttpUtil.setContentLength(head, body.length());
        } else if (original.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                || HttpUtil.isTransferEncodingChunked(original)) {
            HttpUtil.setContentLength(head, 0);
        } else {
            head.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        }
    }

    private static void rewriteHead(HttpMessage request, boolean upgrade) {
        // only Loupe puts these on a request (toward an inline device); a client's would be forged
        request.headers().remove(FlowRegistry.FLOW_HEADER);
        request.headers().remove(FlowRegistry.SCHEME_HEADER);
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        String upgradeTo = request.headers().get(HttpHeaderNames.UPGRADE);
        HopByHopHeaders.strip(request.headers());
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (chunked) {
            HttpUtil.setTransferEncodingChunked(request, true);
        }
        if (upgrade) {
            request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            request.headers().set(HttpHeaderNames.UPGRADE, upgradeTo);
        }
    }

    private void refuse(HttpRequest request, ErrorPage page) {
        Exchange refused = new Exchange(session.nextExchangeSequence(), request.method().name(),
                relay.target().logUrl(relay, request), request.protocolVersion(), false, false);
        if (relay.stream()) {
            refused.protocol = "HTTP/2";
        }
        tracker.started(refused);
        relay.failExchange(page);
    }

    private String pageHost() {
        return relay.origin() != null ? relay.origin().host() : "-";
    }
}
