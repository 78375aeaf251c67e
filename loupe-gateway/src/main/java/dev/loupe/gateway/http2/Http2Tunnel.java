package dev.loupe.gateway.http2;

import dev.loupe.core.config.Http2Config;
import dev.loupe.gateway.session.Session;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 on both sides of one decrypted connection (the client and the origin both chose h2 by ALPN). Each
 * client stream opens one stream on the single upstream connection; both become HTTP messages through
 * {@link StreamMessages} and are handed, as a pair, to {@link StreamExchange} (the same exchange relay as for
 * HTTP/1.1). Flow control is per stream: a stream's child channel is read only while its other side can take
 * more, so a slow reader of one stream holds back that stream's window only. Server push is refused upstream
 * (SETTINGS_ENABLE_PUSH 0); when either connection ends, the other is closed with GOAWAY.
 */
public final class Http2Tunnel {
    private static final Logger log = LoggerFactory.getLogger(Http2Tunnel.class);
    /** Connection-level receive window on each side, beyond the 64 KiB RFC 9113 starts with. */
    private static final int CONNECTION_WINDOW = 4 * 1024 * 1024;

    /** Starts the relay of one exchange between a client stream and its upstream stream, both speaking HTTP messages. */
    @FunctionalInterface
    public interface StreamExchange {
        void start(Channel clientStream, Channel upstreamStream);
    }

    private Http2Tunnel() {
    }

    /**
     * Installs the HTTP/2 framing on both channels (past their TLS handshakes) and starts reading. {@code
     * maxHeaderListSize} bounds a header block on either side, as the HTTP/1.1 head limit does.
     */
    public static void start(Session session, Channel client, Channel upstream, Http2Config config,
                             int maxHeaderListSize, StreamExchange exchange) {
        Http2FrameCodec upstreamCodec = Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false)
                        .initialWindowSize(config.initialWindowSize()).maxHeaderListSize(maxHeaderListSize))
                .validateHeaders(true)
                .build();
        upstream.pipeline().addLast("h2", upstreamCodec);
        upstream.pipeline().addBefore("h2", "h2-flushes", coalescedFlushes());
        upstream.pipeline().addLast("h2-streams", new Http2MultiplexHandler(new RefusedPush()));
        upstream.pipeline().addLast("h2-errors", new ConnectionErrors(session, "upstream"));

        Http2FrameCodec clientCodec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(config.maxConcurrentStreams())
                        .initialWindowSize(config.initialWindowSize())
                        .maxHeaderListSize(maxHeaderListSize))
                .validateHeaders(true)
                .build();
        client.pipeline().addLast("h2", clientCodec);
        client.pipeline().addBefore("h2", "h2-flushes", coalescedFlushes());
        client.pipeline().addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                clientStream(session, stream, upstream, exchange);
            }
        }));
        client.pipeline().addLast("h2-errors", new ConnectionErrors(session, "client"));

        client.closeFuture().addListener(f -> upstream.close());
        upstream.closeFuture().addListener(f -> {
            if (client.isActive()) { // not merely the echo of the client's own close
                session.closeReason("origin ended its HTTP/2 connection");
                client.close();
            }
        });
        widenConnectionWindow(client);
        widenConnectionWindow(upstream);
        upstream.config().setAutoRead(true);
        client.config().setAutoRead(true);
    }

    /**
     * Every stream's flush is a flush of its connection, so TLS and a write(2) each: with several streams
     * answering in one read of the other side, one connection flush per event-loop turn does for all of them.
     */
    private static FlushConsolidationHandler coalescedFlushes() {
        return new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true);
    }

    private static void widenConnectionWindow(Channel connection) {
        connection.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - 65_535))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        log.debug("could not widen the HTTP/2 connection window: {}", f.cause().toString());
                    }
                });
    }

    /** A new client stream: open its upstream stream, then hand both to the exchange relay. */
    private static void clientStream(Session session, Http2StreamChannel stream, Channel upstream,
                                     StreamExchange exchange) {
        stream.attr(Session.KEY).set(session);
        stream.config().setAutoRead(false); // the request waits in the stream until the relay is in place
        stream.pipeline().addLast("h2-http", new Http2StreamFrameToHttpObjectCodec(true, true));
        stream.pipeline().addLast(HeadWithEnd.NAME, new HeadWithEnd());
        stream.pipeline().addLast(StreamMessages.NAME, new StreamMessages());
        TeTrailers te = new TeTrailers();
        stream.pipeline().addLast("h2-te", te.reader());
        new Http2StreamChannelBootstrap(upstream).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel up) {
                up.attr(Session.KEY).set(session);
                up.config().setAutoRead(false);
                up.pipeline().addLast("h2-http", new Http2StreamFrameToHttpObjectCodec(false, true));
                up.pipeline().addLast("h2-te", te.writer());
                up.pipeline().addLast(StreamMessages.NAME, new StreamMessages());
            }
        }).open().addListener(opened -> {
            if (!opened.isSuccess() || !stream.isActive()) {
                log.debug("[{}] no upstream stream for client stream {}: {}", session.id(), stream.stream().id(),
                        opened.cause() == null ? "client stream gone" : opened.cause().toString());
                stream.close(); // RST_STREAM: the client may retry it
                if (opened.isSuccess()) {
                    ((Channel) opened.getNow()).close();
                }
                return;
            }
            Channel up = (Channel) opened.getNow();
            stream.closeFuture().addListener(f -> up.close());
            exchange.start(stream, up);
            stream.config().setAutoRead(true);
        });
    }

    /** Pushed streams are refused by SETTINGS; one that arrives anyway is reset. */
    private static final class RefusedPush extends ChannelInitializer<Http2StreamChannel> {
        @Override
        protected void initChannel(Http2StreamChannel stream) {
            stream.close();
        }
    }

    /** A connection-level error (a protocol error the codec answered with GOAWAY): logged, named, closed. */
    private static final class ConnectionErrors extends ChannelInboundHandlerAdapter {
        private final Session session;
        private final String side;

        ConnectionErrors(Session session, String side) {
            this.session = session;
            this.side = side;
        }

        /** The gateway drains: closing through the codec says GOAWAY and lets the open streams finish. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == dev.loupe.gateway.session.DrainEvent.INSTANCE && side.equals("client")) {
                session.closeReason("gateway draining (GOAWAY)");
                ctx.channel().close();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.info("[{}] HTTP/2 {} connection error: {}", session.id(), side, cause.toString());
            session.closeReason("HTTP/2 " + side + " error: " + cause.getMessage());
            ctx.close();
        }
    }
}
