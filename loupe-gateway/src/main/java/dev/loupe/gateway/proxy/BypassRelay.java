package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Origin;

import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.mirror.MirrorTap;
import dev.loupe.gateway.relay.ByteRelayHandler;
import dev.loupe.gateway.relay.Failures;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;

/**
 * Relays a TLS connection untouched (bypass): the client's own ClientHello goes to the origin and
 * the two talk end to end, so the client sees the origin's real certificate.
 */
final class BypassRelay {
    private BypassRelay() {
    }

    /**
     * @param upstream a connected plain TCP channel to the origin, or null to open a fresh one
     *                 (after Loupe already spoke TLS on the first, e.g. to look at the certificate)
     * @param hello    the client's held ClientHello; ownership passes here
     */
    static void start(GatewayServices services, Session session, Origin origin, Channel upstream, ByteBuf hello) {
        Channel client = session.client();
        if (hello == null || !client.isActive()) {
            // the client left meanwhile (its held ClientHello was released with it)
            if (upstream != null) {
                upstream.close();
            }
            return;
        }
        if (upstream != null && upstream.isActive()) {
            link(services, client, upstream, hello);
            return;
        }
        services.connector().connect(client, origin).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess() || !client.isActive()) {
                hello.release();
                session.closeReason("bypass: upstream connect failed: " + Failures.describe(f.cause()));
                f.channel().close();
                client.close();
                return;
            }
            f.channel().attr(Session.KEY).set(session);
            client.closeFuture().addListener(c -> f.channel().close());
            link(services, client, f.channel(), hello);
        });
    }

    private static void link(GatewayServices services, Channel client, Channel upstream, ByteBuf hello) {
        Session session = client.attr(Session.KEY).get();
        if (session != null) {
            // the origin answers the client's own hello here: its JA3S/JA4S describe the real pair
            upstream.pipeline().addFirst(dev.loupe.gateway.tls.ServerHelloTap.NAME,
                    new dev.loupe.gateway.tls.ServerHelloTap(session::serverFingerprints));
        }
        MirrorTap.installIfRelayedMirrored(services.mirror(), client, upstream);
        ByteRelayHandler.link(client, upstream, "relay");
        upstream.writeAndFlush(hello);
    }
}
