package dev.loupe.gateway.proxy;

import dev.loupe.core.tls.ClientHelloParse;
import dev.loupe.core.tls.ClientHelloParser;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.mirror.MirrorTap;
import dev.loupe.gateway.relay.ByteRelayHandler;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the first bytes of a tunnel and decides, in this order: 1) a complete TLS ClientHello →
 * {@link TlsInterceptor}; 2) bytes that are not TLS → byte relay; 3) nothing within the sniff
 * timeout (a server-speaks-first protocol such as SMTP) → byte relay; 4) a broken ClientHello →
 * close this connection with a log line. The bytes read are held, then replayed to whoever takes over.
 */
final class TlsSniffer extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TlsSniffer.class);

    private final GatewayServices services;
    private final Origin origin;
    private final Channel upstream;
    private ByteBuf held;
    private ScheduledFuture<?> timeout;

    TlsSniffer(GatewayServices services, Origin origin, Channel upstream) {
        this.services = services;
        this.origin = origin;
        this.upstream = upstream;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long millis = services.config().limits().sniffTimeout().toMillis();
        timeout = ctx.executor().schedule(() -> onTimeout(ctx), millis, TimeUnit.MILLISECONDS);
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
        if (held == null) {
            held = buf;
        } else {
            held = ctx.alloc().compositeBuffer().addComponents(true, held, buf);
        }
        ClientHelloParse result = ClientHelloParser.parse(held.nioBuffer());
        switch (result) {
            case ClientHelloParse.Complete complete -> {
                ByteBuf bytes = take(ctx);
                TunnelDispatcher.dispatch(services, Session.of(ctx.channel()), origin, upstream, complete.hello(), bytes);
            }
            case ClientHelloParse.NotTls notTls -> relay(ctx, "not TLS: " + notTls.reason());
            case ClientHelloParse.Malformed malformed -> {
                Session session = Session.of(ctx.channel());
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

    private void onTimeout(ChannelHandlerContext ctx) {
        if (held == null) {
            relay(ctx, "client sent nothing within the sniff timeout");
        } else {
            Session session = Session.of(ctx.channel());
            session.verdict("reject", "incomplete ClientHello within the sniff timeout");
            session.closeReason("sniff timeout");
            ctx.close();
        }
    }

    private void relay(ChannelHandlerContext ctx, String why) {
        Session.of(ctx.channel()).verdict("relay", why);
        ByteBuf bytes = take(ctx);
        Channel client = ctx.channel();
        if (services.mirror() != null && services.mirror().includeRelayed()) {
            MirrorTap.install(services.mirror(), client, upstream);
        }
        ByteRelayHandler.link(client, upstream, "relay");
        if (bytes != null) {
            upstream.writeAndFlush(bytes);
        }
    }

    /** Removes this handler and hands over the held bytes (ownership passes to the caller). */
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
        Session.of(ctx.channel()).closeReason("client error: " + dev.loupe.gateway.relay.Failures.describe(cause));
        ctx.close();
    }
}
