package dev.loupe.gateway.proxy;

import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.http.HttpRelay;
import dev.loupe.gateway.relay.ByteRelayHandler;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Chooses the codec for decrypted plaintext: 1) ALPN agreed http/1.1 → HTTP; 2) the first bytes
 * look like an HTTP request line → HTTP; 3) anything else, or silence until the sniff timeout
 * (server-speaks-first protocols such as IMAPS) → opaque byte relay of the plaintext.
 */
final class DecryptedProtocolSniffer extends ChannelInboundHandlerAdapter {
    private static final int MAX_METHOD = 16;

    private final GatewayServices services;
    private final Session session;
    private final Origin origin;
    private final Channel upstream;
    private ScheduledFuture<?> timeout;

    private DecryptedProtocolSniffer(GatewayServices services, Session session, Origin origin, Channel upstream) {
        this.services = services;
        this.session = session;
        this.origin = origin;
        this.upstream = upstream;
    }

    static void install(GatewayServices services, Session session, Origin origin, Channel upstream) {
        Channel client = session.client();
        SslHandler tls = client.pipeline().get(SslHandler.class);
        if ("http/1.1".equals(tls.applicationProtocol())) {
            startHttp(services, session, origin, upstream);
            return;
        }
        client.pipeline().addLast("plaintext-sniff", new DecryptedProtocolSniffer(services, session, origin, upstream));
    }

    private static void startHttp(GatewayServices services, Session session, Origin origin, Channel upstream) {
        var limits = services.config().limits();
        HttpRelay.tunnel(session, services.connector(), services.mirror(), services.decider().intel(), services.icap(),
                services.inline(), upstream, origin, limits.maxInitialLineLength(), limits.maxHeaderSize());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> decide(ctx, null),
                services.config().limits().sniffTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        decide(ctx, (ByteBuf) msg);
    }

    /** Takes ownership of {@code first} (may be null on timeout) and forwards it to the chosen relay. */
    private void decide(ChannelHandlerContext ctx, ByteBuf first) {
        timeout.cancel(false);
        ctx.pipeline().remove(this);
        Channel client = ctx.channel();
        if (first != null && looksLikeHttp(first)) {
            startHttp(services, session, origin, upstream);
            Replay.into(client.pipeline(), "http", first);
            return;
        }
        session.verdict("decrypt", "decrypted, not HTTP: relayed as plaintext bytes");
        if (services.inline() != null) {
            // not HTTP, so no inline device: the mirror taps the origin connection as without inline services
            dev.loupe.gateway.mirror.MirrorTap.install(services.mirror(), client, upstream);
        }
        ByteRelayHandler.link(client, upstream, "relay");
        if (first != null) {
            upstream.writeAndFlush(first);
        }
    }

    static boolean looksLikeHttp(ByteBuf buf) {
        int n = Math.min(buf.readableBytes(), MAX_METHOD);
        int start = buf.readerIndex();
        for (int i = 0; i < n; i++) {
            byte b = buf.getByte(start + i);
            if (b == ' ') {
                // "PRI" opens the HTTP/2 connection preface, which an HTTP/1.1 codec must not parse
                return i >= 3 && !(i == 3 && buf.getByte(start) == 'P' && buf.getByte(start + 1) == 'R'
                        && buf.getByte(start + 2) == 'I');
            }
            if (b < 'A' || b > 'Z') {
                return false;
            }
        }
        return false;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Session.of(ctx.channel()).closeReason("client error: " + dev.loupe.gateway.relay.Failures.describe(cause));
        ctx.close();
    }
}
