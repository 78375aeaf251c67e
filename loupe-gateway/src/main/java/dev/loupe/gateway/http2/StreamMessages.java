package dev.loupe.gateway.http2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the messages of one HTTP/2 stream look exactly like those of an HTTP/1.1 connection: a head, then body
 * parts, then a last part (a stream that ended with its HEADERS frame arrives as a "full" message and is split
 * in two), and without the {@code x-http2-*} headers Netty's translation adds for its own use, which must never
 * reach an origin, a device or an ICAP server.
 */
public final class StreamMessages extends ChannelInboundHandlerAdapter {
    static final String NAME = "h2-messages";
    private static final String EXTENSION_PREFIX = "x-http2-";

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpMessage message) {
            stripExtensions(message.headers());
        }
        if (msg instanceof FullHttpMessage full) {
            ctx.fireChannelRead(head(full));
            ctx.fireChannelRead(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private static HttpMessage head(FullHttpMessage full) {
        if (full instanceof FullHttpRequest request) {
            return new DefaultHttpRequest(request.protocolVersion(), request.method(), request.uri(), request.headers());
        }
        FullHttpResponse response = (FullHttpResponse) full;
        int code = response.status().code();
        boolean mayHaveBody = code >= 200 && code != 204 && code != 304;
        if (mayHaveBody && !response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                && !response.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            // the stream's end delimits the body, not a close: say so, or the relay takes it for close-delimited
            response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        return new DefaultHttpResponse(response.protocolVersion(), response.status(), response.headers());
    }

    static void stripExtensions(HttpHeaders headers) {
        List<String> internal = null;
        for (var name : headers.names()) {
            if (name.regionMatches(true, 0, EXTENSION_PREFIX, 0, EXTENSION_PREFIX.length())) {
                if (internal == null) {
                    internal = new ArrayList<>(2);
                }
                internal.add(name);
            }
        }
        if (internal != null) {
            internal.forEach(headers::remove);
        }
    }
}
