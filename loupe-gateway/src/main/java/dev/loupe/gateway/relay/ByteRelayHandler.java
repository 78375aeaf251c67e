package dev.loupe.gateway.relay;

import dev.loupe.gateway.session.Session;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;

/**
 * Copies whatever arrives on one channel to its peer, unchanged: bypassed TLS, non-TLS protocols
 * after CONNECT, decrypted non-HTTP protocols, and WebSocket after a 101. Back-pressure: when the
 * peer's outbound buffer passes its high-water mark this side stops reading until it drains.
 * Both channels share one event loop, so no field needs to be volatile.
 */
public final class ByteRelayHandler extends ChannelInboundHandlerAdapter {
    private final Channel peer;
    private final String side;

    /** @param side "client" or "upstream": which party this handler reads from, for the close reason */
    public ByteRelayHandler(Channel peer, String side) {
        this.peer = peer;
        this.side = side;
    }

    /** Installs a relay in both directions between two active channels and starts reading. */
    public static void link(Channel client, Channel upstream, String name) {
        client.pipeline().addLast(name, new ByteRelayHandler(upstream, "client"));
        upstream.pipeline().addLast(name, new ByteRelayHandler(client, "upstream"));
        // A relay passes half-closes on (e.g. a client that sends its request then shuts its output).
        client.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        upstream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        client.config().setAutoRead(upstream.isWritable());
        upstream.config().setAutoRead(client.isWritable());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Ownership of msg passes to the peer's write.
        if (peer.isActive()) {
            peer.write(msg, peer.voidPromise());
        } else {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        peer.config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (peer instanceof DuplexChannel duplexPeer && peer.isActive()) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> duplexPeer.shutdownOutput());
            }
            if (ctx.channel() instanceof DuplexChannel self && self.isOutputShutdown()) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Session session = Session.of(ctx.channel());
        if (session == null) {
            session = Session.of(peer);
        }
        if (session != null) {
            session.closeReason(side + " closed");
        }
        closeOnFlush(peer);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Session session = Session.of(ctx.channel()) != null ? Session.of(ctx.channel()) : Session.of(peer);
        if (session != null) {
            session.closeReason(side + " error: " + Failures.describe(cause));
        }
        ctx.close();
    }

    public static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
