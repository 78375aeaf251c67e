package dev.loupe.gateway.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes on the client socket (first in the pipeline, so TLS records are counted as sent).
 * Event-loop confined: plain longs.
 */
@Sharable
public final class ByteCounter extends ChannelDuplexHandler {
    private long in;
    private long out;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            in += buf.readableBytes();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            out += buf.readableBytes();
        }
        ctx.write(msg, promise);
    }

    public long bytesIn() {
        return in;
    }

    public long bytesOut() {
        return out;
    }
}
