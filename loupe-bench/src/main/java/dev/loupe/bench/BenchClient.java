package dev.loupe.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;

/**
 * The harness's HTTPS client. One instance talks either straight to the origin or through the
 * gateway: the only difference is the plain-text {@code CONNECT} exchange before TLS (and which CA is
 * trusted), so direct and proxied numbers come from the same code. Everything is asynchronous on a
 * small Netty event-loop group; a connection that makes no progress for {@link #STALL_MILLIS} fails.
 */
final class BenchClient {
    static final long STALL_MILLIS = 30_000;

    private final Bootstrap bootstrap;
    private final SslContext ssl;
    private final InetSocketAddress connectTo;
    private final boolean viaProxy;
    private final String originHost;
    private final int originPort;
    private final boolean resumption;
    private String mode;
    /** Speak HTTP/2 (ALPN h2 only): each GET is one stream, and many may run at once on one connection. */
    private final boolean h2;
    /** Connections that completed the TLS handshake, and responses received in full: for cross-checks. */
    final LongAdder handshakes = new LongAdder();
    final LongAdder responses = new LongAdder();

    /**
     * @param connectTo  the gateway's listener (proxied) or the origin itself (direct)
     * @param viaProxy   send {@code CONNECT originHost:originPort} first
     * @param trusted    the CA the server certificate must chain to (Loupe's CA when proxied)
     * @param resumption false disables the client session cache, so every handshake is a full one
     * @param h2         offer only h2, and use {@link Tunnel#stream} for requests
     */
    BenchClient(EventLoopGroup group, Class<? extends SocketChannel> channelType, InetSocketAddress connectTo,
            boolean viaProxy, String originHost, int originPort, X509Certificate trusted, boolean resumption,
            boolean h2, List<String> groups) throws SSLException {
        this.h2 = h2;
        this.connectTo = connectTo;
        this.viaProxy = viaProxy;
        this.originHost = originHost;
        this.originPort = originPort;
        this.resumption = resumption;
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (OpenSsl.isAvailable()) {
            // the key shares offered, as --client-groups chose them (a browser's hybrid ML-KEM one, or not)
            builder.option(io.netty.handler.ssl.OpenSslContextOption.GROUPS, groups.toArray(String[]::new));
        }
        this.ssl = builder
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .trustManager(trusted)
                .protocols("TLSv1.3", "TLSv1.2")
                .endpointIdentificationAlgorithm("HTTPS")
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        h2 ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1))
                .build();
        if (!resumption && ssl.sessionContext() instanceof OpenSslSessionContext openSsl) {
            openSsl.setSessionCacheEnabled(false);
        }
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        // the per-connection handler is added by open()
                    }
                });
    }

    boolean h2() {
        return h2;
    }

    boolean viaProxy() {
        return viaProxy;
    }

    /** How results name this client's runs: direct, proxied (Loupe), or a peer such as sslsplit. */
    String mode() {
        return mode != null ? mode : viaProxy ? "proxied" : "direct";
    }

    /** Names this client's runs (a peer proxy reached without CONNECT, e.g. "sslsplit"). */
    BenchClient named(String name) {
        this.mode = name;
        return this;
    }

    String describe() {
        return (viaProxy ? "via gateway " + connectTo + " CONNECT " : "direct ") + originHost + ":" + originPort
                + (h2 ? " over h2" : "") + (resumption ? "" : " (client TLS session resumption off)");
    }

    /** Connects (plus CONNECT when proxied) and completes the TLS handshake. */
    CompletableFuture<Tunnel> open() {
        CompletableFuture<Tunnel> result = new CompletableFuture<>();
        ChannelFuture connect = bootstrap.connect(connectTo);
        Channel ch = connect.channel();
        Tunnel tunnel = new Tunnel(ch);
        ch.pipeline().addLast("client", tunnel.handler);
        connect.addListener(f -> {
            tunnel.opening = result;
            tunnel.begin(result, "TCP connect");
            if (!f.isSuccess()) {
                tunnel.fail(f.cause());
                return;
            }
            if (viaProxy) {
                String authority = originHost + ":" + originPort;
                String request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
                tunnel.stage = "CONNECT";
                tunnel.handler.awaitingConnectReply = true;
                ch.writeAndFlush(ByteBufUtil.writeAscii(ch.alloc(), request));
            } else {
                tunnel.startTls();
            }
        });
        return result;
    }

    /** One client connection; at most one operation (open or GET) in flight. */
    final class Tunnel {
        private final Channel channel;
        private final Handler handler = new Handler();
        private CompletableFuture<?> pending;
        private CompletableFuture<Tunnel> opening;
        private String stage = "idle";
        private long lastProgressNanos;
        private ScheduledFuture<?> stallCheck;
        private boolean closing;
        private CompletableFuture<Long> longResult;

        Tunnel(Channel channel) {
            this.channel = channel;
        }

        Channel channel() {
            return channel;
        }

        /** GET {@code path}; completes with the number of body bytes received, or fails on any non-200. */
        CompletableFuture<Long> get(String path) {
            CompletableFuture<Long> result = new CompletableFuture<>();
            channel.eventLoop().execute(() -> {
                if (!channel.isActive()) {
                    result.completeExceptionally(new IllegalStateException("connection already closed before GET "
                            + path + (handler.closedBy == null ? "" : " (" + handler.closedBy + ")")));
                    return;
                }
                handler.body = 0;
                handler.status = -1;
                longResult = result;
                begin(result, "GET " + path);
                FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
                request.headers().set(HttpHeaderNames.HOST, originHost + ":" + originPort);
                request.headers().set(HttpHeaderNames.USER_AGENT, "loupe-bench");
                HttpUtil.setContentLength(request, 0);
                channel.writeAndFlush(request).addListener(w -> {
                    if (!w.isSuccess()) {
                        fail(w.cause());
                    }
                });
            });
            return result;
        }

        /**
         * HTTP/2 only: GET {@code path} on a new stream of this connection (any number may run at once); completes
         * with the number of body bytes received, or fails on any non-200 or a reset.
         */
        CompletableFuture<Long> stream(String path) {
            CompletableFuture<Long> result = new CompletableFuture<>();
            H2Streams.get(channel, originHost + ":" + originPort, path, result, () -> {
                progress();
            });
            return result.whenComplete((n, e) -> {
                if (e == null) {
                    responses.increment();
                }
            });
        }

        /** Closes (sending close_notify); completes when the socket is closed. */
        CompletableFuture<Void> close() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            closing = true;
            channel.close().addListener(f -> done.complete(null));
            return done;
        }

        /** Runs on the event loop. */
        private void begin(CompletableFuture<?> op, String what) {
            pending = op;
            stage = what;
            lastProgressNanos = System.nanoTime();
            if (stallCheck == null) {
                stallCheck = channel.eventLoop().scheduleAtFixedRate(this::checkStall, 1, 1, TimeUnit.SECONDS);
                channel.closeFuture().addListener(f -> stallCheck.cancel(false));
            }
        }

        /** Clears the in-flight operation before completing it, so callbacks may start the next one. */
        private <T> void succeed(CompletableFuture<T> op, T value) {
            if (pending == op) {
                pending = null;
                stage = "idle";
            }
            op.complete(value);
        }

        private void checkStall() {
            if (pending != null && System.nanoTime() - lastProgressNanos > TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)) {
                fail(new TimeoutException("no progress for " + STALL_MILLIS / 1000 + " s during " + stage));
            }
        }

        void startTls() {
            stage = "TLS handshake";
            lastProgressNanos = System.nanoTime();
            SslHandler tls = ssl.newHandler(channel.alloc(), originHost, originPort);
            channel.pipeline().addBefore("client", "tls", tls);
            if (h2) {
                H2Streams.install(channel, "client");
            } else {
                channel.pipeline().addBefore("client", "http", new HttpClientCodec());
            }
            tls.handshakeFuture().addListener(h -> {
                if (h.isSuccess() && h2 && !ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
                    fail(new IllegalStateException("the server chose ALPN " + tls.applicationProtocol() + ", not h2"));
                } else if (h.isSuccess()) {
                    CompletableFuture<Tunnel> op = opening;
                    opening = null;
                    if (op != null) {
                        handshakes.increment();
                        succeed(op, this);
                    }
                } else {
                    fail(h.cause());
                }
            });
        }

        void fail(Throwable cause) {
            CompletableFuture<?> op = pending;
            String failedStage = stage;
            pending = null;
            opening = null;
            longResult = null;
            stage = "failed";
            channel.close();
            if (op != null) {
                op.completeExceptionally(cause instanceof StageException ? cause : new StageException(failedStage, cause));
            }
        }

        void progress() {
            lastProgressNanos = System.nanoTime();
        }

        /** The last handler: reads the CONNECT reply as raw bytes, then HTTP responses. */
        final class Handler extends ChannelInboundHandlerAdapter {
            boolean awaitingConnectReply;
            private ByteBuf connectReply;
            long body;
            int status = -1;
            String closedBy;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                progress();
                try {
                    if (awaitingConnectReply && msg instanceof ByteBuf bytes) {
                        readConnectReply(bytes);
                    } else if (msg instanceof HttpResponse response) {
                        status = response.status().code();
                        body = 0;
                        if (msg instanceof HttpContent content) {
                            content(content);
                        }
                    } else if (msg instanceof HttpContent content) {
                        content(content);
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }

            private void content(HttpContent content) {
                body += content.content().readableBytes();
                if (content instanceof LastHttpContent) {
                    CompletableFuture<Long> op = longResult;
                    longResult = null;
                    if (op == null) {
                        fail(new IllegalStateException("response without a request"));
                    } else if (status != 200) {
                        fail(new IllegalStateException("HTTP status " + status + " (body " + body + " bytes)"));
                    } else {
                        responses.increment();
                        succeed(op, body);
                    }
                }
            }

            private void readConnectReply(ByteBuf bytes) {
                if (connectReply == null) {
                    connectReply = channel.alloc().heapBuffer(256);
                }
                connectReply.writeBytes(bytes);
                String text = connectReply.toString(StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                if (end < 0) {
                    if (connectReply.readableBytes() > 16384) {
                        fail(new IllegalStateException("CONNECT reply headers over 16 KiB"));
                    }
                    return;
                }
                connectReply.release();
                connectReply = null;
                awaitingConnectReply = false;
                String statusLine = text.substring(0, Math.max(0, text.indexOf("\r\n")));
                if (!statusLine.matches("HTTP/1\\.[01] 200( .*)?")) {
                    fail(new IllegalStateException("CONNECT refused: " + statusLine));
                    return;
                }
                if (end + 4 != text.length()) {
                    fail(new IllegalStateException("unexpected " + (text.length() - end - 4)
                            + " bytes after the CONNECT reply"));
                    return;
                }
                startTls();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
                closedBy = "error: " + root;
                fail(root);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                if (connectReply != null) {
                    connectReply.release();
                    connectReply = null;
                }
                if (closedBy == null) {
                    closedBy = closing ? "closed by harness" : "closed by peer";
                }
                if (pending != null) {
                    String detail = longResult != null && status > 0 ? " after status " + status + " and " + body
                            + " body bytes" : "";
                    fail(new IllegalStateException("connection closed by peer" + detail));
                }
                super.channelInactive(ctx);
            }
        }
    }

    /** A failure annotated with what the connection was doing. */
    static final class StageException extends Exception {
        private static final long serialVersionUID = 1L;
        final String stage;

        StageException(String stage, Throwable cause) {
            super(stage + ": " + cause, cause);
            this.stage = stage;
        }
    }
}
