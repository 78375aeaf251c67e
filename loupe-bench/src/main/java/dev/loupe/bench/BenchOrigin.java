package dev.loupe.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The local HTTPS origin the load harness measures against. Runs in its own JVM so its CPU time is
 * not mixed with the harness's or the gateway's. Serves, over TLS 1.2/1.3 with ALPN h2 or http/1.1 and
 * keep-alive without a request limit:
 * <ul>
 *   <li>{@code GET /1k}: 1024 bytes</li>
 *   <li>{@code GET /100m}: 104857600 bytes</li>
 *   <li>{@code GET /bytes/N}: N bytes</li>
 * </ul>
 * Large bodies are streamed in 64 KiB slices of one shared buffer, written only while the channel is
 * writable (back-pressure), so memory stays flat whatever the body size.
 *
 * <p>ALPN: h2 when the client offers it (each stream served as one HTTP/1.1 exchange would be), else http/1.1.
 *
 * <p>Usage: {@code BenchOrigin PORT CERT_CHAIN_PEM KEY_PEM}; prints {@code READY <port>} on stdout.
 */
public final class BenchOrigin {
    static final int SMALL_BODY = 1024;
    static final long LARGE_BODY = 100L * 1024 * 1024;
    private static final int CHUNK = 64 * 1024;

    private BenchOrigin() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: BenchOrigin PORT CERT_CHAIN_PEM KEY_PEM");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        SslContext ssl = SslContextBuilder.forServer(new File(args[1]), new File(args[2]))
                .sslProvider(provider)
                .protocols("TLSv1.3", "TLSv1.2")
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();

        byte[] random = new byte[CHUNK];
        ThreadLocalRandom.current().nextBytes(random); // incompressible, in case anything compresses
        ByteBuf chunk = Unpooled.unreleasableBuffer(Unpooled.directBuffer(CHUNK).writeBytes(random));

        boolean epoll = Epoll.isAvailable();
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerSocketChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 512 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()));
                        // a client that offers h2 gets it (streams served by the same handler); else HTTP/1.1
                        ch.pipeline().addLast("alpn", new io.netty.handler.ssl.ApplicationProtocolNegotiationHandler(
                                ApplicationProtocolNames.HTTP_1_1) {
                            @Override
                            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                                    H2Streams.serve(ctx.channel(), () -> new Serve(chunk));
                                } else {
                                    ctx.pipeline().addLast("http", new HttpServerCodec());
                                    ctx.pipeline().addLast("serve", new Serve(chunk));
                                }
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        int bound = ((InetSocketAddress) server.localAddress()).getPort();
        System.out.println("READY " + bound + " tls=" + (provider == SslProvider.OPENSSL ? "boringssl" : "jdk")
                + " transport=" + (epoll ? "epoll" : "nio") + " threads=" + threads);
        System.out.flush();
        // Exit when the harness goes away (stdin closes), so a killed harness leaves no orphan origin.
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // ignore input
                }
            } catch (java.io.IOException ignored) {
                // treat as closed
            }
            Runtime.getRuntime().halt(0);
        }, "stdin-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        server.closeFuture().sync();
    }

    /** Serves one request at a time per connection (HTTP/1.1 without pipelining, as the harness uses it). */
    private static final class Serve extends SimpleChannelInboundHandler<HttpObject> {
        private final ByteBuf chunk;
        private long remaining;
        private boolean closeAfter;
        private boolean streaming;

        Serve(ByteBuf chunk) {
            this.chunk = chunk;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (!(msg instanceof HttpRequest request)) {
                return; // request bodies (none for GET) are ignored
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            long size = request.method().equals(HttpMethod.GET) ? bodySize(request.uri()) : -1;
            if (size < 0) {
                FullHttpResponse notFound = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
                HttpUtil.setContentLength(notFound, 0);
                finish(ctx, notFound, keepAlive);
                return;
            }
            if (size <= CHUNK) {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        chunk.retainedSlice(0, (int) size));
                headers(response, size);
                finish(ctx, response, keepAlive);
                return;
            }
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            headers(head, size);
            ctx.write(head);
            remaining = size;
            closeAfter = !keepAlive;
            streaming = true;
            pump(ctx);
        }

        private static void headers(HttpResponse response, long size) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
            HttpUtil.setContentLength(response, size);
        }

        private static void finish(ChannelHandlerContext ctx, HttpResponse response, boolean keepAlive) {
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(response);
            }
        }

        /** Writes slices while the outbound buffer has room; resumes from channelWritabilityChanged. */
        private void pump(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            while (streaming && ch.isWritable() && remaining > 0) {
                int n = (int) Math.min(CHUNK, remaining);
                remaining -= n;
                ctx.write(new DefaultHttpContent(chunk.retainedSlice(0, n)));
            }
            if (streaming && remaining == 0) {
                streaming = false;
                var last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                if (closeAfter) {
                    last.addListener(ChannelFutureListener.CLOSE);
                }
                return;
            }
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            if (streaming && ctx.channel().isWritable()) {
                pump(ctx);
            }
            super.channelWritabilityChanged(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            streaming = false;
            super.channelInactive(ctx);
        }

        private static long bodySize(String uri) {
            int q = uri.indexOf('?');
            String path = q < 0 ? uri : uri.substring(0, q);
            if (path.equals("/1k")) {
                return SMALL_BODY;
            }
            if (path.equals("/100m")) {
                return LARGE_BODY;
            }
            if (path.startsWith("/bytes/")) {
                try {
                    long n = Long.parseLong(path.substring(7));
                    return n >= 0 ? n : -1;
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
            return -1;
        }
    }
}
