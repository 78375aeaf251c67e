package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Origin;

import dev.loupe.core.tls.ClientHelloParse;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.http.HttpRelays;
import dev.loupe.gateway.mirror.MirrorTap;
import dev.loupe.gateway.relay.ByteRelayHandler;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The first bytes of a CONNECT tunnel (upstream already connected), in this order: a TLS ClientHello goes to
 * the decision point; an HTTP request line goes to the HTTP relay with the same checks and services as any
 * plain HTTP (a tunnel is no way around inspection); anything else, silence (server speaks first), or an
 * origin that speaks first is relayed as bytes, unless a fail-closed service refuses what it cannot
 * inspect. The origin's first bytes are relayed the moment they arrive.
 */
final class TlsSniffer extends FirstBytesSniffer {
    private static final String ORIGIN_FIRST = "origin-first";
    private final Channel upstream;

    TlsSniffer(GatewayServices services, Origin origin, Channel upstream) {
        super(services, origin);
        this.upstream = upstream;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        super.handlerAdded(ctx);
        upstream.pipeline().addLast(ORIGIN_FIRST, new OriginFirst(ctx));
        upstream.config().setAutoRead(true);
    }

    @Override
    void onClientHello(ChannelHandlerContext ctx, Session session, ClientHelloParse.Complete hello, ByteBuf bytes) {
        stopWatchingOrigin();
        TunnelDispatcher.dispatch(services, session, origin, upstream, hello.hello(), bytes);
    }

    @Override
    void onOther(ChannelHandlerContext ctx, Session session, ByteBuf bytes, String why) {
        stopWatchingOrigin();
        Channel client = ctx.channel();
        if (bytes != null && DecryptedProtocolSniffer.looksLikeHttp(bytes)) {
            session.verdict("http", "plain HTTP in a CONNECT tunnel");
            // plain HTTP is mirrored as such, like absolute-URI requests
            MirrorTap.install(services.mirror(), client, upstream);
            var limits = services.config().limits();
            HttpRelays.tunnelPlain(session, Guards.of(services), services.connector(), services.stages(),
                    upstream, origin, limits.maxInitialLineLength(), limits.maxHeaderSize());
            Replay.into(client.pipeline(), "http", bytes);
            return;
        }
        relay(session, client, bytes, null, why);
    }

    /** Relays the tunnel as bytes (or refuses it); takes ownership of both buffers, either may be null. */
    private void relay(Session session, Channel client, ByteBuf fromClient, ByteBuf fromOrigin, String why) {
        var refusal = NonHttpGate.refusal(services, origin.host(), false);
        if (refusal.isPresent()) {
            ReferenceCountUtil.release(fromClient);
            ReferenceCountUtil.release(fromOrigin);
            session.verdict("block", why + "; " + refusal.get());
            session.closeReason("not HTTP, refused: " + refusal.get());
            client.close();
            upstream.close();
            return;
        }
        session.verdict("relay", why);
        MirrorTap.installIfRelayedMirrored(services.mirror(), client, upstream);
        ByteRelayHandler.link(client, upstream, "relay");
        if (fromOrigin != null) {
            client.writeAndFlush(fromOrigin);
        }
        if (fromClient != null) {
            upstream.writeAndFlush(fromClient);
        }
    }

    private void stopWatchingOrigin() {
        if (upstream.pipeline().get(ORIGIN_FIRST) != null) {
            upstream.pipeline().remove(ORIGIN_FIRST);
        }
        upstream.config().setAutoRead(false);
    }

    /** The origin spoke before the client: a server-first protocol (SMTP, FTP, IMAP greet); not TLS, not HTTP. */
    private final class OriginFirst extends ChannelInboundHandlerAdapter {
        private final ChannelHandlerContext sniff;

        OriginFirst(ChannelHandlerContext sniff) {
            this.sniff = sniff;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf fromOrigin) || sniff.isRemoved()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            stopWatchingOrigin();
            ByteBuf fromClient = takeHeld(sniff);
            Session session = Session.of(sniff.channel());
            relay(session, sniff.channel(), fromClient, fromOrigin, "not TLS: the origin spoke first");
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Session session = Session.of(sniff.channel());
            if (session != null) {
                session.closeReason("upstream closed");
            }
            sniff.channel().close();
            ctx.fireChannelInactive();
        }
    }
}
