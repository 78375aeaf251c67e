package dev.loupe.gateway.proxy;

import dev.loupe.core.policy.PolicyDecision;
import dev.loupe.core.policy.Verdict;
import dev.loupe.core.tls.ClientHelloParse;
import dev.loupe.core.tls.ClientHelloParser;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.http.HttpRelay;
import dev.loupe.gateway.mirror.MirrorTap;
import dev.loupe.gateway.relay.ByteRelayHandler;
import dev.loupe.gateway.relay.Failures;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the first bytes of a diverted connection, on any port, and decides in this order:
 * 1) a TLS ClientHello → the decrypt policy (a block needs no upstream connection; otherwise connect
 *    to the original destination and dispatch); 2) an HTTP request line → the plain-HTTP relay to the
 *    original destination; 3) anything else, or silence until the sniff timeout (server speaks first,
 *    e.g. SMTP) → byte relay; 4) a broken ClientHello → close with a log line.
 */
final class TransparentSniffer extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TransparentSniffer.class);

    private final GatewayServices services;
    private final Origin origin;
    private ByteBuf held;
    private ScheduledFuture<?> timeout;

    TransparentSniffer(GatewayServices services, Origin origin) {
        this.services = services;
        this.origin = origin;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> onTimeout(ctx),
                services.config().limits().sniffTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timeout.cancel(false);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        held = held == null ? buf : ctx.alloc().compositeBuffer().addComponents(true, held, buf);
        Session session = Session.of(ctx.channel());
        switch (ClientHelloParser.parse(held.nioBuffer())) {
            case ClientHelloParse.Complete complete -> tls(ctx, session, complete);
            case ClientHelloParse.NotTls notTls -> {
                if (DecryptedProtocolSniffer.looksLikeHttp(held)) {
                    http(ctx, session);
                } else {
                    relay(ctx, session, "not TLS, not HTTP: " + notTls.reason());
                }
            }
            case ClientHelloParse.Malformed malformed -> {
                log.info("[{}] closing {}: malformed ClientHello: {}", session.id(), origin, malformed.reason());
                session.verdict("reject", "malformed ClientHello: " + malformed.reason());
                session.closeReason("malformed ClientHello");
                ReferenceCountUtil.release(take(ctx));
                ctx.close();
            }
            case ClientHelloParse.NeedMore needMore -> {
                // keep reading
            }
        }
    }

    private void tls(ChannelHandlerContext ctx, Session session, ClientHelloParse.Complete complete) {
        ByteBuf hello = take(ctx);
        var facts = TunnelDispatcher.facts(session, origin, null, complete.hello());
        if (services.decider().decide(facts) instanceof PolicyDecision.Decided(Verdict.Block block)) {
            TunnelDispatcher.block(session, null, hello, block);
            return;
        }
        connect(ctx.channel(), session, upstream ->
                TunnelDispatcher.dispatch(services, session, origin, upstream, complete.hello(), hello), hello);
    }

    private void http(ChannelHandlerContext ctx, Session session) {
        session.verdict("http", "transparent plain HTTP");
        ByteBuf bytes = take(ctx);
        var limits = services.config().limits();
        HttpRelay.transparent(session, services.connector(), services.mirror(), services.decider().intel(), origin,
                limits.maxInitialLineLength(), limits.maxHeaderSize());
        Replay.into(ctx.pipeline(), "http", bytes);
    }

    private void relay(ChannelHandlerContext ctx, Session session, String why) {
        session.verdict("relay", why);
        ByteBuf bytes = take(ctx);
        connect(ctx.channel(), session, upstream -> {
            if (services.mirror() != null && services.mirror().includeRelayed()) {
                MirrorTap.install(services.mirror(), session.client(), upstream);
            }
            ByteRelayHandler.link(session.client(), upstream, "relay");
            if (bytes != null) {
                upstream.writeAndFlush(bytes);
            }
        }, bytes);
    }

    /** Connects to the original destination, reads held back meanwhile; {@code pending} is released on failure. */
    private void connect(Channel client, Session session, java.util.function.Consumer<Channel> then, ByteBuf pending) {
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
            then.accept(f.channel());
            client.config().setAutoRead(true);
        });
    }

    private void onTimeout(ChannelHandlerContext ctx) {
        Session session = Session.of(ctx.channel());
        if (held == null) {
            relay(ctx, session, "client sent nothing within the sniff timeout");
        } else {
            session.verdict("reject", "incomplete first bytes within the sniff timeout");
            session.closeReason("sniff timeout");
            ctx.close();
        }
    }

    private ByteBuf take(ChannelHandlerContext ctx) {
        ByteBuf bytes = held;
        held = null;
        ctx.pipeline().remove(this);
        return bytes;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (held != null) {
            held.release();
            held = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Session.of(ctx.channel()).closeReason("client error: " + Failures.describe(cause));
        ctx.close();
    }
}
