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
    /** The head's bytes so far, copied once each (a slow client's one-byte reads must not cost a rescan each). */
    private byte[] seen = new byte[512];
    private int seenLength;

    OwnHeadNormaliser(int limit) {
        this.limit = limit;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        int add = Math.min(in.readableBytes(), limit - seenLength);
        if (seenLength + add > seen.length) {
            seen = java.util.Arrays.copyOf(seen, Math.min(limit, Math.max(seen.length * 2, seenLength + add)));
        }
        in.getBytes(in.readerIndex(), seen, seenLength, add);
        int from = seenLength - 2;
        seenLength += add;
        held = held == null ? in : ctx.alloc().compositeBuffer().addComponents(true, held, in);
        int end = OwnHeadLineEnds.headEnd(seen, from, seenLength);
        if (end < 0 && seenLength < limit) {
            return; // the head is not complete yet
        }
        ByteBuf out = held;
        held = null;
        if (end > 0) {
            byte[] normalised = OwnHeadLineEnds.normalisedIfOwn(java.util.Arrays.copyOf(seen, end));
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
