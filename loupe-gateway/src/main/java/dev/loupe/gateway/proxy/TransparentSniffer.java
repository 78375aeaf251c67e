package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Origin;

import dev.loupe.core.policy.PolicyDecision;
import dev.loupe.core.policy.Verdict;
import dev.loupe.core.tls.ClientHelloParse;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.http.HttpRelays;
import dev.loupe.gateway.mirror.MirrorTap;
import dev.loupe.gateway.relay.ByteRelayHandler;
import dev.loupe.gateway.relay.Failures;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.util.function.Consumer;

/**
 * Reads the first bytes of a diverted connection, on any port, and decides in this order:
 * 1) a TLS ClientHello → the decrypt policy (a block needs no upstream connection; otherwise connect
 *    to the original destination and dispatch); 2) an HTTP request line → the plain-HTTP relay to the
 *    original destination; 3) anything else, or silence until the sniff timeout (server speaks first,
 *    e.g. SMTP) → byte relay; 4) a broken ClientHello → close with a log line.
 */
final class TransparentSniffer extends FirstBytesSniffer {
    TransparentSniffer(GatewayServices services, Origin origin) {
        super(services, origin);
    }

    @Override
    void onClientHello(ChannelHandlerContext ctx, Session session, ClientHelloParse.Complete complete, ByteBuf hello) {
        var facts = TunnelDispatcher.facts(session, origin, null, complete.hello());
        if (services.decider().decide(facts) instanceof PolicyDecision.Decided(Verdict.Block block)) {
            TunnelDispatcher.block(session, null, hello, block); // no upstream connection for a block
            return;
        }
        connect(ctx.channel(), session, upstream ->
                TunnelDispatcher.dispatch(services, session, origin, upstream, complete.hello(), hello), hello);
    }

    @Override
    void onOther(ChannelHandlerContext ctx, Session session, ByteBuf bytes, String why) {
        if (bytes != null && DecryptedProtocolSniffer.looksLikeHttp(bytes)) {
            session.verdict("http", "transparent plain HTTP");
            var limits = services.config().limits();
            HttpRelays.transparent(session, Guards.of(services), services.connector(), services.mirror(), services.stages(),
                    origin, limits.maxInitialLineLength(), limits.maxHeaderSize());
            Replay.into(ctx.pipeline(), "http", bytes);
            return;
        }
        var refusal = NonHttpGate.refusal(services, origin.host(), false);
        if (refusal.isPresent()) {
            if (bytes != null) {
                bytes.release();
            }
            session.verdict("block", why + "; " + refusal.get());
            session.closeReason("not HTTP, refused: " + refusal.get());
            ctx.close();
            return;
        }
        session.verdict("relay", why);
        connect(ctx.channel(), session, upstream -> {
            MirrorTap.installIfRelayedMirrored(services.mirror(), session.client(), upstream);
            ByteRelayHandler.link(session.client(), upstream, "relay");
            if (bytes != null) {
                upstream.writeAndFlush(bytes);
            }
        }, bytes);
    }

    /** Connects to the original destination, reads held back meanwhile; {@code pending} is released on failure. */
    private void connect(Channel client, Session session, Consumer<Channel> then, ByteBuf pending) {
        client.config().setAutoRead(false);
        services.connector().connect(client, origin).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess() || !client.isActive()) {
                if (pending != null) {
                    pending.release();
                }
                session.closeReason("upstream connect failed: " + Failures.describe(f.cause()));
                f.channel().close();
                client.close();
                return;
            }
            f.channel().attr(Session.KEY).set(session);
            client.closeFuture().addListener(c -> f.channel().close());
            // each path decides when the client is read again (TLS interception holds it back)
            then.accept(f.channel());
        });
    }
}
