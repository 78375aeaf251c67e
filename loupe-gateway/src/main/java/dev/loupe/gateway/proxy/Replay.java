package dev.loupe.gateway.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;

/**
 * Hands a message that an earlier handler held back to the handler that now owns it, as if it had
 * just been read: a read followed by read-complete, because handlers such as SslHandler only flush
 * their answers on read-complete.
 */
final class Replay {
    private Replay() {
    }

    /** Delivers {@code msg} (ownership passes on) to the handler named {@code target}. */
    static void into(ChannelPipeline pipeline, String target, Object msg) {
        ChannelHandlerContext targetCtx = pipeline.context(target);
        if (targetCtx == null) {
            throw new IllegalStateException("no handler named " + target + " in " + pipeline.names());
        }
        ChannelHandlerContext before = previous(pipeline, target);
        if (before == null) {
            pipeline.fireChannelRead(msg).fireChannelReadComplete();
        } else {
            before.fireChannelRead(msg).fireChannelReadComplete();
        }
    }

    private static ChannelHandlerContext previous(ChannelPipeline pipeline, String target) {
        ChannelHandlerContext previous = null;
        for (String name : pipeline.names()) {
            if (name.equals(target)) {
                return previous;
            }
            ChannelHandlerContext ctx = pipeline.context(name);
            if (ctx != null) {
                previous = ctx;
            }
        }
        return previous;
    }
}
