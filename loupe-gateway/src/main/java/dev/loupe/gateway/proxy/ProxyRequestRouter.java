package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Origin;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.policy.PolicyDecision;
import dev.loupe.core.policy.Verdict;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.http.HttpRelay;
import dev.loupe.gateway.http.HttpRelays;
import dev.loupe.gateway.http.HttpResponses;
import dev.loupe.gateway.http.LocalPages;
import dev.loupe.gateway.relay.Failures;
import dev.loupe.gateway.session.Session;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * Decides what an explicit-proxy connection is from its first request, in one place:
 * 1) CONNECT → connect upstream first, answer 200, then sniff the tunnel;
 * 2) absolute-URI request → plain-HTTP proxying through {@link HttpRelay};
 * 3) origin-form request → Loupe's own pages (CA download).
 * Replaces itself once decided.
 */
final class ProxyRequestRouter extends ChannelInboundHandlerAdapter {
    private final GatewayServices services;
    private boolean decided;

    ProxyRequestRouter(GatewayServices services) {
        this.services = services;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided || !(msg instanceof HttpRequest request)) {
            // body of CONNECT (always empty) or of a refused request
            ReferenceCountUtil.release(msg);
            return;
        }
        decided = true;
        if (request.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            respondAndClose(ctx, HttpResponses.decoderFailure(request.decoderResult().cause(), "-"), null);
            return;
        }
        if (request.method().equals(HttpMethod.CONNECT)) {
            ReferenceCountUtil.release(msg);
            connect(ctx, request);
        } else if (request.uri().regionMatches(true, 0, "http://", 0, 7) && namesThisListener(ctx, request)) {
            // a browser told to use this proxy asks for its pages with absolute URIs: answered here, never relayed
            request.setUri(dev.loupe.core.http.RequestTargets.originForm(request.uri()));
            ctx.pipeline().replace(this, "pages", new LocalPages(services.caCertificatePem(), services.caCertificateDer(),
                    services.ca().sha256Fingerprint(), services.config().pac()));
            Replay.into(ctx.pipeline(), "pages", msg);
        } else if (request.uri().regionMatches(true, 0, "http://", 0, 7)) {
            HttpRelay relay = HttpRelays.plain(Session.of(ctx.channel()), Guards.of(services), services.connector(),
                    services.mirror(), services.stages());
            ctx.pipeline().replace(this, "exchange", relay.newClientHandler());
            Replay.into(ctx.pipeline(), "exchange", msg);
        } else {
            ctx.pipeline().replace(this, "pages", new LocalPages(services.caCertificatePem(), services.caCertificateDer(),
                    services.ca().sha256Fingerprint(), services.config().pac()));
            Replay.into(ctx.pipeline(), "pages", msg);
        }
    }

    private void connect(ChannelHandlerContext ctx, HttpRequest request) {
        Session session = Session.of(ctx.channel());
        Origin origin;
        try {
            origin = Origin.parseAuthority(request.uri(), 443);
        } catch (IllegalArgumentException e) {
            respondAndClose(ctx, new ErrorPage(400, "Bad CONNECT target", e.getMessage(), request.uri()), null);
            return;
        }
        session.target(origin.authority());
        Channel client = ctx.channel();
        String accept = request.headers().get(HttpHeaderNames.ACCEPT);
        // Decided on the CONNECT host alone, a block costs no upstream connection at all.
        if (services.decider().decide(TunnelDispatcher.facts(session, origin, null, null))
                instanceof PolicyDecision.Decided(Verdict.Block block)) {
            session.verdict("block", block.rule() + ": " + block.reason());
            respondAndClose(ctx, new ErrorPage(403, "Blocked", block.reason(), origin.host()), accept);
            return;
        }
        client.config().setAutoRead(false);
        services.connector().connect(client, origin).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                Failures.Kind kind = Failures.classify(f.cause());
                if (kind == Failures.Kind.FORBIDDEN) {
                    session.verdict("block", "destination refused: " + Failures.describe(f.cause()));
                    respondAndClose(ctx, new ErrorPage(403, "Destination refused", Failures.describe(f.cause()),
                            origin.host()), accept);
                    return;
                }
                session.verdict("error-page", "upstream connect failed");
                respondAndClose(ctx, new ErrorPage(kind == Failures.Kind.TIMEOUT ? 504 : 502,
                        "Cannot reach " + origin.host(), Failures.describe(f.cause()), origin.host()), accept);
                return;
            }
            if (!client.isActive()) {
                f.channel().close();
                return;
            }
            Channel upstream = f.channel();
            upstream.attr(Session.KEY).set(session);
            client.closeFuture().addListener(c -> upstream.close());
            var established = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    new HttpResponseStatus(200, "Connection Established"));
            ctx.writeAndFlush(established).addListener((ChannelFutureListener) w -> {
                if (w.isSuccess()) {
                    startTunnel(ctx, origin, upstream);
                }
            });
        });
    }

    private void startTunnel(ChannelHandlerContext ctx, Origin origin, Channel upstream) {
        var pipeline = ctx.pipeline();
        pipeline.addLast("sniff", new TlsSniffer(services, origin, upstream));
        pipeline.remove(this);
        pipeline.remove(dev.loupe.gateway.http.RequestHeadTimeout.NAME);
        // Removing the codec passes any bytes it already holds (an early ClientHello) to the sniffer.
        pipeline.remove("http");
        ctx.channel().config().setAutoRead(true);
    }

    /** An absolute URI naming this listener itself (its port, on an address of this host, or localhost). */
    private static boolean namesThisListener(ChannelHandlerContext ctx, HttpRequest request) {
        try {
            java.net.URI uri = new java.net.URI(request.uri());
            var local = (java.net.InetSocketAddress) ctx.channel().localAddress();
            int port = uri.getPort() < 0 ? 80 : uri.getPort();
            if (uri.getHost() == null || port != local.getPort()) {
                return false;
            }
            String host = uri.getHost().replace("[", "").replace("]", "");
            return host.equalsIgnoreCase("localhost") || dev.loupe.core.net.IpLiterals.address(host)
                    .map(a -> a.equals(local.getAddress()) || a.isLoopbackAddress() && local.getAddress().isLoopbackAddress())
                    .orElse(false);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private void respondAndClose(ChannelHandlerContext ctx, ErrorPage page, String accept) {
        Session.of(ctx.channel()).closeReason(page.title() + ": " + page.problem());
        ctx.writeAndFlush(HttpResponses.errorPage(page, accept)).addListener(ChannelFutureListener.CLOSE);
    }
}
