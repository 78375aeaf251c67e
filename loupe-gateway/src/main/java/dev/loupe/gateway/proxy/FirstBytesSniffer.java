package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Origin;

import dev.loupe.core.tls.ClientHelloParse;
import dev.loupe.core.tls.ClientHelloParser;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.relay.Failures;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds back a connection's first bytes until they can be classified by the ClientHello parser,
 * then hands them (and itself out of the pipeline) to the subclass's decision. Silence until the sniff
 * timeout means a protocol where the server speaks first; a half-sent first message by then, or a
 * broken ClientHello, closes only this connection with a log line.
 */
abstract class FirstBytesSniffer extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FirstBytesSniffer.class);

    final GatewayServices services;
    final Origin origin;
    private ByteBuf held;
    private ScheduledFuture<?> timeout;

    FirstBytesSniffer(GatewayServices services, Origin origin) {
        this.services = services;
        this.origin = origin;
    }

    /** A complete ClientHello; {@code bytes} (ownership passes) hold it and anything after it. */
    abstract void onClientHello(ChannelHandlerContext ctx, Session session, ClientHelloParse.Complete hello,
                                ByteBuf bytes);

    /** Bytes that are not TLS (ownership passes); {@code bytes} is null when the client stayed silent. */
    abstract void onOther(ChannelHandlerContext ctx, Session session, ByteBuf bytes, String why);

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
            case ClientHelloParse.Complete complete -> onClientHello(ctx, session, complete, take(ctx));
            case ClientHelloParse.NotTls notTls -> onOther(ctx, session, take(ctx), "not TLS: " + notTls.reason());
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

    private void onTimeout(ChannelHandlerContext ctx) {
        Session session = Session.of(ctx.channel());
        if (held == null) {
            onOther(ctx, session, take(ctx), "client sent nothing within the sniff timeout");
        } else {
            session.verdict("reject", "incomplete first message within the sniff timeout");
            session.closeReason("sniff timeout");
            ctx.close();
        }
    }

    /** Removes this handler and hands over the held bytes (ownership passes to the caller); null if none. */
    final ByteBuf takeHeld(ChannelHandlerContext ctx) {
        return take(ctx);
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
        Session.of(ctx.channel()).closeReason("client error: " + Failures.describe(cause));
        ctx.close();
    }
}
