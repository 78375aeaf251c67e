package dev.loupe.gateway.http;

import dev.loupe.core.http.RequestTargets;
import dev.loupe.gateway.icap.Adapted;
import dev.loupe.gateway.inline.FlowRegistry;
import dev.loupe.gateway.pipeline.BodySpool;
import dev.loupe.gateway.icap.IcapAdaptation;
import dev.loupe.gateway.icap.IcapMessage;
import dev.loupe.gateway.intel.IntelService;
import dev.loupe.core.policy.ConnectionDecider;
import dev.loupe.core.net.Origin;
import dev.loupe.gateway.session.Session;
import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.http.RequestChecks;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.net.URISyntaxException;

/** Client → origin half of {@link HttpRelay}: rewrites request heads and streams request bodies. */
final class RequestForwarder {
    private final HttpRelay relay;
    private final ExchangeTracker tracker;
    private final Session session;
    private final boolean tunnel;
    private final IntelService intel;
    /** Transparent plain HTTP: requests are in origin form and go to the client's original destination. */
    private final Origin fixedOrigin;
    private Origin target;
    private Exchange current;

    private final IcapAdaptation icap;
    /** The request being collected for the REQMOD services, null when streaming straight through. */
    private Capture capture;

    private record Capture(HttpRequest request, Exchange exchange, IcapAdaptation.Selection selection,
                           BodySpool body) {
    }

    RequestForwarder(HttpRelay relay, ExchangeTracker tracker, Session session, boolean tunnel, IntelService intel,
                     Origin fixedOrigin, IcapAdaptation icap) {
        this.relay = relay;
        this.icap = icap;
        this.intel = intel;
        this.fixedOrigin = fixedOrigin;
        this.tracker = tracker;
        this.session = session;
        this.tunnel = tunnel;
    }

    /**
     * Requests the HTTP decoder produced while an exchange is still outstanding (a pipelining client,
     * or several requests in one read): they wait here, in order, until the response is complete.
     */
    private final java.util.ArrayDeque<Object> held = new java.util.ArrayDeque<>();

    void forward(Object msg) {
        if (!held.isEmpty() || (msg instanceof HttpRequest && !tracker.idle())) {
            held.add(msg);
            return;
        }
        dispatch(msg);
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
                        "malformed request body: " + o.decoderResult().cause().getMessage(), target.host()));
            }
            return;
        }
        if (msg instanceof HttpRequest request && !head(request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpContent content && current != null) {
            current.requestBytes += content.content().readableBytes();
        }
        if (current == null) {
            // content of a request that was refused: drop it
            ReferenceCountUtil.release(msg);
            return;
        }
        if (capture != null) {
            collect(msg);
            return;
        }
        boolean last = msg instanceof LastHttpContent;
        relay.toUpstream(target, msg);
        if (last) {
            relay.flushUpstream();
            Exchange done = current;
            current = null;
            relay.requestComplete(done);
        }
    }

    /** Returns false when the request was answered locally (and must not be forwarded). */
    private boolean head(HttpRequest request) {
        current = null;
        if (request.decoderResult().isFailure()) {
            ErrorPage page = HttpResponses.decoderFailure(request.decoderResult().cause(),
                    target != null ? target.host() : "-");
            refuse(request, page);
            return false;
        }
        var nameProblem = RequestChecks.headerNameProblem(request.headers().names());
        if (nameProblem.isPresent()) {
            refuse(request, 400, "Bad request", nameProblem.get());
            return false;
        }
        String url;
        // the host policy, intel, ICAP and the log see: in a tunnel, the name the connection is bound to
        String exchangeHost;
        if (fixedOrigin != null) {
            target = fixedOrigin;
            java.util.List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
            var authority = hosts.size() == 1 ? RequestChecks.Authority.parse(hosts.get(0), target.port()) : null;
            if (authority == null) {
                refuse(request, 400, "Bad request", hosts.size() == 1 ? "malformed Host header"
                        : "the request has " + hosts.size() + " Host headers; exactly one is required");
                return false;
            }
            url = "http://" + hosts.get(0).strip() + request.uri();
            exchangeHost = authority.host().toLowerCase(java.util.Locale.ROOT);
        } else if (tunnel) {
            target = relay.origin();
            String bound = relay.boundName();
            int defaultPort = relay.scheme().equals("https") ? 443 : 80;
            if (!request.uri().startsWith("/") && !originFormInTunnel(request, bound)) {
                refuse(request, 400, "Bad request", "a request inside a tunnel must name a path on its origin, got '"
                        + request.uri() + "'");
                return false;
            }
            // a Host without a port cannot name another port: it means the tunnel's own
            var hostProblem = RequestChecks.hostProblem(request.headers().getAll(HttpHeaderNames.HOST), bound,
                    target.port(), target.port());
            if (hostProblem.isPresent()) {
                refuse(request, 400, "Bad request", hostProblem.get());
                return false;
            }
            String name = bound.indexOf(':') >= 0 ? "[" + bound + "]" : bound;
            url = relay.scheme() + "://" + (target.port() == defaultPort ? name : name + ":" + target.port())
                    + request.uri();
            exchangeHost = bound;
        } else if (relay.returnFlows() != null) {
            String id = request.headers().get(FlowRegistry.FLOW_HEADER);
            if (relay.returnFlows().takeProbe(id)) {
                // a health probe made the whole loop: answer it here, naming it so the prober knows
                refuse(request, new ErrorPage(200, "Loupe return path", "probe " + id + " came back", "-"));
                return false;
            }
            // an HTTP device names the flow in a header; after an L3 device it is known only by the addresses
            // the connection carries (a header there would come from the client)
            FlowRegistry.Flow flow = relay.returnL3()
                    ? relay.returnFlows().findByPeer(relay.client().remoteAddress(), relay.client().localAddress())
                    : relay.returnFlows().find(id);
            if (flow == null) {
                refuse(request, 403, "Forbidden", "the return listener only carries live inline flows");
                return false;
            }
            target = flow.origin();
            relay.serverName(flow.serverName());
            relay.flowClientIp(flow.clientIp());
            String path = request.uri();
            try {
                URI uri = new URI(request.uri());
                if (uri.isAbsolute()) {
                    // the device judged this URL: it must be the flow's own origin, or the verdict was about another
                    String name = flow.serverName() != null ? flow.serverName() : flow.origin().host();
                    if (uri.getHost() == null || !uri.getHost().replace("[", "").replace("]", "").equalsIgnoreCase(name)
                            || (uri.getPort() < 0 ? 80 : uri.getPort()) != flow.origin().port()
                            || uri.getRawUserInfo() != null) {
                        refuse(request, 403, "Forbidden", "the request names " + request.uri()
                                + ", which is not its flow's origin");
                        return false;
                    }
                    path = RequestTargets.originForm(uri);
                }
            } catch (URISyntaxException e) {
                refuse(request, 400, "Bad request", "malformed request URI '" + request.uri() + "'");
                return false;
            }
            url = "https://" + (target.port() == 443 ? hostForUrl(target) : target.authority()) + path;
            request.setUri(path);
            request.headers().remove(FlowRegistry.FLOW_HEADER);
            request.headers().remove(FlowRegistry.SCHEME_HEADER);
            exchangeHost = flow.serverName() != null ? flow.serverName() : target.host();
        } else {
            try {
                URI uri = new URI(request.uri());
                if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                    refuse(request, 400, "Bad request", "a proxy request needs an absolute http:// URI, got '"
                            + request.uri() + "'");
                    return false;
                }
                target = new Origin(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
                url = request.uri();
                exchangeHost = target.host();
                request.setUri(RequestTargets.originForm(uri));
                request.headers().set(HttpHeaderNames.HOST, uri.getPort() < 0 ? hostForUrl(target) : target.authority());
            } catch (URISyntaxException | IllegalArgumentException e) {
                refuse(request, 400, "Bad request", "malformed request URI '" + request.uri() + "'");
                return false;
            }
            // one decision for CONNECT and absolute-URI requests: rules on destination and port apply here too
            var refusal = relay.guards().destinations().refuse(session, target,
                    dev.loupe.core.net.IpLiterals.address(target.host()).orElse(null));
            if (refusal.isPresent()) {
                refuse(request, refusal.get());
                return false;
            }
        }
        if (intel != null) {
            String pathAndQuery = tunnel || fixedOrigin != null ? request.uri() : RequestTargets.originForm(url);
            var match = intel.matchUrl(relay.scheme(), exchangeHost, target.port(), pathAndQuery);
            if (match.isPresent()) {
                var block = ConnectionDecider.blockFor(match.get());
                refuse(request, new ErrorPage(403, "Blocked by threat intelligence", block.reason(), target.host()));
                return false;
            }
        }
        boolean upgrade = HopByHopHeaders.isUpgrade(request.headers());
        current = new Exchange(session.nextExchangeSequence(), request.method().name(), url,
                request.protocolVersion(), HttpUtil.isKeepAlive(request), upgrade);
        if (relay.stream()) {
            current.protocol = "HTTP/2";
        }
        tracker.started(current);
        rewriteHead(request, upgrade);
        current.request = request;
        if (icap != null && !upgrade && (!tunnel || relay.icapHereForNextRequest())) {
            IcapAdaptation.Selection selection = icap.select(true, exchangeHost, request.method().name(),
                    request.headers().get(HttpHeaderNames.CONTENT_TYPE), HttpUtil.getContentLength(request, -1L));
            if (selection.blockedBy() != null) {
                current.icap(selection.skipped());
                relay.failExchange(icap.tooLarge(selection, true, target.host()));
                current = null;
                return false;
            }
            if (!selection.any()) {
                current.icap(icap.noneApplies(selection));
            } else {
                capture = new Capture(request, current, selection, icap.newSpool());
                current.requestHeld = true;
                if (HttpUtil.is100ContinueExpected(request)) {
                    // the origin sees the request only once it is complete: invite the body ourselves
                    request.headers().remove(HttpHeaderNames.EXPECT);
                    if (!current.clientVersion.equals(HttpVersion.HTTP_1_0)) {
                        relay.client().writeAndFlush(new io.netty.handler.codec.http.DefaultFullHttpResponse(
                                HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpResponseStatus.CONTINUE));
                    }
                }
            }
        }
        return true;
    }

    // ---- REQMOD: collect the request, let the services look at it, then carry out their verdict ----------

    private void collect(Object msg) {
        Capture c = capture;
        if (msg instanceof HttpContent content) {
            try {
                c.body().append(content.content());
            } catch (RuntimeException e) {
                ReferenceCountUtil.release(msg);
                abandon(c, new ErrorPage(507, "Cannot hold the request", e.getMessage(), target.host()));
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
        Origin to = target;
        String serverIp = relay.upstream() != null && relay.upstream().remoteAddress()
                instanceof java.net.InetSocketAddress a ? a.getAddress().getHostAddress() : null;
        IcapMessage message = new IcapMessage(c.request(), c.exchange().url, to.host(), null,
                c.body().length() > 0 ? c.body() : null, relay.icapClientIp(), serverIp, null);
        icap.adapt(message, c.selection(), relay.client().eventLoop(), adapted -> adapted(c, to, adapted));
    }

    private void abandon(Capture c, ErrorPage page) {
        capture = null;
        current = null;
        c.body().close();
        relay.failExchange(page);
    }

    private void adapted(Capture c, Origin to, Adapted adapted) {
        c.exchange().icap(adapted.results());
        c.exchange().requestHeld = false;
        if (!relay.client().isActive()) {
            tracker.finished();
            c.exchange().log(session, "client gone");
            c.body().close();
            release(adapted);
            return;
        }
        switch (adapted) {
            case Adapted.Pass pass -> send(c, to, pass);
            case Adapted.Respond respond -> {
                c.body().close();
                relay.respondLocally(c.exchange(), respond.response(), respond.body());
            }
            case Adapted.Refuse refuse -> {
                c.body().close();
                relay.failExchange(refuse.page());
            }
        }
    }

    private static void release(Adapted adapted) {
        if (adapted instanceof Adapted.Pass p && p.body() != null) {
            p.body().close();
        } else if (adapted instanceof Adapted.Respond r && r.body() != null) {
            r.body().close();
        }
    }

    /** Sends the (possibly adapted) request upstream, its body streamed from the spool. */
    private void send(Capture c, Origin to, Adapted.Pass pass) {
        HttpRequest head = (HttpRequest) pass.head();
        if (pass.body() != c.body()) {
            c.body().close();
        }
        if (pass.modified()) {
            prepareAdapted(head, c.request(), to, pass.body());
        }
        relay.toUpstream(to, head);
        relay.whenUpstreamReady(upstream -> {
            if (upstream == null) {
                if (pass.body() != null) {
                    pass.body().close();
                }
                return; // the relay has answered with an error page already
            }
            SpoolPump.start(upstream, pass.body(), n -> { }, f -> { });
        });
    }

    /** A request head a service rewrote: origin form, the original Host, framing from the new body. */
    private void prepareAdapted(HttpRequest head, HttpRequest original, Origin to, BodySpool body) {
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

    /** An absolute-form request in a tunnel is accepted only for the tunnel's own origin; made origin-form. */
    private boolean originFormInTunnel(HttpRequest request, String bound) {
        try {
            URI uri = new URI(request.uri());
            boolean same = uri.isAbsolute() && uri.getHost() != null && uri.getRawUserInfo() == null
                    && relay.scheme().equalsIgnoreCase(uri.getScheme())
                    && RequestChecks.authorityProblem(uri.getHost(), uri.getPort() < 0
                            ? (relay.scheme().equals("https") ? 443 : 80) : uri.getPort(), bound, target.port(), "")
                    .isEmpty();
            if (same) {
                request.setUri(RequestTargets.originForm(uri));
            }
            return same;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static void rewriteHead(HttpRequest request, boolean upgrade) {
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

    private void refuse(HttpRequest request, int status, String title, String problem) {
        refuse(request, new ErrorPage(status, title, problem, target != null ? target.host() : "-"));
    }

    private void refuse(HttpRequest request, ErrorPage page) {
        Exchange refused = new Exchange(session.nextExchangeSequence(), request.method().name(), urlFor(request),
                request.protocolVersion(), false, false);
        if (relay.stream()) {
            refused.protocol = "HTTP/2";
        }
        tracker.started(refused);
        relay.failExchange(page);
    }

    /** The URL a refused request is logged under: absolute, as for the exchanges that pass. */
    private String urlFor(HttpRequest request) {
        String uri = request.uri();
        if (!uri.startsWith("/") || target == null) {
            return uri;
        }
        String host = tunnel ? relay.boundName() : fixedOrigin != null
                ? request.headers().get(HttpHeaderNames.HOST, target.authority()) : target.host();
        String name = host.indexOf(':') >= 0 && !host.startsWith("[") && tunnel ? "[" + host + "]" : host;
        return relay.scheme() + "://" + name + (tunnel ? ":" + target.port() : "") + uri;
    }

    private static String hostForUrl(Origin origin) {
        return origin.host().indexOf(':') >= 0 ? "[" + origin.host() + "]" : origin.host();
    }
}
