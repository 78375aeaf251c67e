package dev.loupe.gateway.http2;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * Outbound on a client stream: a response head immediately followed by an empty end (no body, no trailers) is
 * written as one HEADERS frame that ends the stream, as the origin sent it. gRPC's "trailers-only" answers
 * (an error status in the head) depend on it: a client reads {@code grpc-status} from a HEADERS frame with
 * END_STREAM, not from a head followed by an empty DATA frame. A head is held only until the next write or
 * flush, so a streaming response's head is not delayed.
 */
public final class HeadWithEnd extends ChannelDuplexHandler {
    static final String NAME = "h2-head-with-end";
    private HttpResponse held;
    private ChannelPromise heldPromise;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (held == null && msg instanceof HttpResponse head && !(msg instanceof FullHttpResponse)
                && !(msg instanceof HttpContent)) {
            held = head;
            heldPromise = promise;
            return;
        }
        if (held != null) {
            HttpResponse head = held;
            ChannelPromise headPromise = heldPromise;
            held = null;
            heldPromise = null;
            if (msg instanceof LastHttpContent last && !last.content().isReadable() && last.trailingHeaders().isEmpty()) {
                last.release();
                FullHttpResponse whole = new DefaultFullHttpResponse(head.protocolVersion(), head.status(),
                        io.netty.buffer.Unpooled.EMPTY_BUFFER, head.headers(), last.trailingHeaders());
                ctx.write(whole, headPromise);
                promise.setSuccess();
                return;
            }
            ctx.write(head, headPromise);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        releaseHeld(ctx);
        ctx.flush();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        releaseHeld(ctx);
        ctx.close(promise);
    }

    private void releaseHeld(ChannelHandlerContext ctx) {
        if (held != null) {
            ctx.write(held, heldPromise);
            held = null;
            heldPromise = null;
        }
    }
}
