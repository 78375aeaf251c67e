package dev.loupe.gateway.http2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Carries {@code te: trailers} from a client stream to its upstream stream. In HTTP/1.1 TE is hop-by-hop and
 * the relay drops it, but over HTTP/2 it is the one TE value allowed (RFC 9113 section 8.2.2) and gRPC servers
 * refuse a call without it ("Missing :te header"). Any other TE value never gets this far: the codec refuses
 * the stream.
 */
final class TeTrailers {
    private boolean asked;

    /** On the client stream, before the relay: notes whether the request asked for trailers. */
    ChannelInboundHandlerAdapter reader() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest request) {
                    asked = request.headers().containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true);
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    /** On the upstream stream, before its codec: puts it back on the request that goes out. */
    ChannelOutboundHandlerAdapter writer() {
        return new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof HttpRequest request && asked) {
                    request.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
                }
                ctx.write(msg, promise);
            }
        };
    }
}
