package dev.loupe.bench;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;

/**
 * HTTP/2 for the harness's client and origin, with Netty's codec as Loupe uses it: one child channel per stream,
 * translated to HTTP messages, so both ends serve and count exactly as over HTTP/1.1. Windows are large (1 MiB
 * per stream, 16 MiB per connection) so a download is bounded by the peers' work, not by window round trips.
 */
final class H2Streams {
    static final int STREAM_WINDOW = 1 << 20;
    static final int CONNECTION_WINDOW = 16 << 20;

    private H2Streams() {
    }

    static Http2Settings settings() {
        return Http2Settings.defaultSettings().initialWindowSize(STREAM_WINDOW).maxConcurrentStreams(1000);
    }

    /** Client side: the h2 connection handlers go before {@code before}; the connection window opens once up. */
    static void install(Channel channel, String before) {
        channel.pipeline().addBefore(before, "h2", Http2FrameCodecBuilder.forClient()
                .initialSettings(settings().pushEnabled(false)).build());
        channel.pipeline().addBefore(before, "h2-streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
        channel.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - 65_535));
    }

    /** Server side: each stream gets {@code perStream} after the translation to HTTP messages. */
    static void serve(Channel channel, java.util.function.Supplier<io.netty.channel.ChannelHandler> perStream) {
        channel.pipeline().addLast("h2", Http2FrameCodecBuilder.forServer().initialSettings(settings()).build());
        channel.pipeline().addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), perStream.get());
            }
        }));
        channel.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - 65_535));
    }

    /** Opens a stream and GETs {@code path}; {@code result} gets the body size, {@code progress} every read. */
    static void get(Channel connection, String authority, String path, CompletableFuture<Long> result,
                    Runnable progress) {
        new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new Reader(result, progress));
            }
        }).open().addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
            var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            request.headers().set(HttpHeaderNames.HOST, authority);
            request.headers().set(HttpHeaderNames.USER_AGENT, "loupe-bench");
            stream.writeAndFlush(request).addListener(w -> {
                if (!w.isSuccess()) {
                    result.completeExceptionally(w.cause());
                    stream.close();
                }
            });
        });
    }

    private static final class Reader extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Long> result;
        private final Runnable progress;
        private int status = -1;
        private long body;

        Reader(CompletableFuture<Long> result, Runnable progress) {
            this.result = result;
            this.progress = progress;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            progress.run();
            try {
                if (msg instanceof HttpResponse response) {
                    status = response.status().code();
                }
                if (msg instanceof HttpContent content) {
                    body += content.content().readableBytes();
                }
                if (msg instanceof LastHttpContent) {
                    if (status == 200) {
                        result.complete(body);
                    } else {
                        result.completeExceptionally(new IllegalStateException("HTTP status " + status + " (body "
                                + body + " bytes)"));
                    }
                    ctx.close();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new IllegalStateException("stream closed after status " + status + " and "
                    + body + " body bytes"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }
    }
}
