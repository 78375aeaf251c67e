package dev.loupe.gateway.proxy;

import dev.loupe.core.tls.ClientHelloParse;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.mirror.MirrorTap;
import dev.loupe.gateway.relay.ByteRelayHandler;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/**
 * The first bytes of a CONNECT tunnel (upstream already connected): a TLS ClientHello goes to the
 * decision point; anything else, or silence (server speaks first), is relayed as bytes.
 */
final class TlsSniffer extends FirstBytesSniffer {
    private final Channel upstream;

    TlsSniffer(GatewayServices services, Origin origin, Channel upstream) {
        super(services, origin);
        this.upstream = upstream;
    }

    @Override
    void onClientHello(ChannelHandlerContext ctx, Session session, ClientHelloParse.Complete hello, ByteBuf bytes) {
        TunnelDispatcher.dispatch(services, session, origin, upstream, hello.hello(), bytes);
    }

    @Override
    void onOther(ChannelHandlerContext ctx, Session session, ByteBuf bytes, String why) {
        session.verdict("relay", why);
        Channel client = ctx.channel();
        MirrorTap.installIfRelayedMirrored(services.mirror(), client, upstream);
        ByteRelayHandler.link(client, upstream, "relay");
        if (bytes != null) {
            upstream.writeAndFlush(bytes);
        }
    }
}
