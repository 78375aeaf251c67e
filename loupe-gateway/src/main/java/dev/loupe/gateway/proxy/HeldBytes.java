package dev.loupe.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Keeps what an origin sends before anyone is ready to relay it: a TLS 1.3 origin may send its first
 * application data (an IMAP greeting) with its handshake, before the client's side is even set up. Without
 * this the bytes would fall off the end of the pipeline. Event-loop confined.
 */
final class HeldBytes extends ChannelInboundHandlerAdapter {
    static final String NAME = "held-bytes";
    private CompositeByteBuf held;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (held == null) {
            held = ctx.alloc().compositeBuffer();
        }
        held.addComponent(true, buf);
    }

    /** Removes this handler from {@code ctx}'s pipeline; returns what it held (ownership passes), or null. */
    static ByteBuf take(io.netty.channel.Channel channel) {
        HeldBytes self = channel.pipeline().get(HeldBytes.class);
        if (self == null) {
            return null;
        }
        ByteBuf bytes = self.held;
        self.held = null;
        channel.pipeline().remove(self);
        return bytes;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (held != null) {
            held.release();
            held = null;
        }
    }
}
