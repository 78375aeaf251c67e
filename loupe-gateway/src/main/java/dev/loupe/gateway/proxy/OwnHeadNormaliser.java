package dev.loupe.gateway.proxy;

import dev.loupe.core.http.OwnHeadLineEnds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Before the strict HTTP parser on the explicit listener: lets the first head be read with bare LF line
 * ends when Loupe consumes it itself (CONNECT, its own pages), see {@link OwnHeadLineEnds}; forwarded heads
 * reach the parser untouched. Removes itself after the first head.
 */
final class OwnHeadNormaliser extends ChannelInboundHandlerAdapter {
    private final int limit;
    private ByteBuf held;

    OwnHeadNormaliser(int limit) {
        this.limit = limit;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        held = held == null ? in : ctx.alloc().compositeBuffer().addComponents(true, held, in);
        int readable = held.readableBytes();
        byte[] bytes = new byte[Math.min(readable, limit)];
        held.getBytes(held.readerIndex(), bytes);
        int end = OwnHeadLineEnds.headEnd(bytes, bytes.length);
        if (end < 0 && readable < limit) {
            return; // the head is not complete yet
        }
        ByteBuf out = held;
        held = null;
        if (end > 0) {
            byte[] head = new byte[end];
            System.arraycopy(bytes, 0, head, 0, end);
            byte[] normalised = OwnHeadLineEnds.normalisedIfOwn(head);
            if (normalised != null && normalised.length != end) {
                out.skipBytes(end);
                out = Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(normalised), out);
            }
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(out);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (held != null) {
            ReferenceCountUtil.release(held);
            held = null;
        }
    }
}
