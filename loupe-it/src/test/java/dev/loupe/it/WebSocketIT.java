package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wss:// through Loupe: the Upgrade is relayed, and after the 101 both sides exchange frames as bytes. */
class WebSocketIT {
    @TempDir
    Path dir;

    @Test
    void websocketEchoAfter101() throws Exception {
        try (Origins origins = Origins.start(dir.resolve("origins"))) {
            TestCertificates.Issued ca = TestCertificates.ca("WS Origin CA");
            TestCertificates.Issued leaf = TestCertificates.leaf(ca, Origins.HOST, Instant.now().minusSeconds(60),
                    Instant.now().plusSeconds(3600), Origins.HOST);
            Path caFile = dir.resolve("ws-ca.pem");
            TestCertificates.write(caFile, ca.certificate());
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            try (GatewayUnderTest wsLoupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe-ws")),
                    origins, "  extra-ca-bundles: [" + caFile + "]", "")) {
                Channel server = startEchoServer(group, leaf);
                int port = ((InetSocketAddress) server.localAddress()).getPort();
                HttpClient client = HttpClient.newBuilder()
                        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", wsLoupe.port)))
                        .sslContext(trusting(wsLoupe.caPem)).build();
                CompletableFuture<String> reply = new CompletableFuture<>();
                WebSocket ws = client.newWebSocketBuilder()
                        .buildAsync(URI.create("wss://" + Origins.HOST + ":" + port + "/ws"), new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                reply.complete(data.toString());
                                return null;
                            }
                        }).get(10, TimeUnit.SECONDS);
                ws.sendText("hello through loupe", true).get(5, TimeUnit.SECONDS);
                assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("echo: hello through loupe");
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
                wsLoupe.awaitLog(n -> n.path("outcome").asText().equals("upgraded")
                        && n.path("status").asInt() == 101);
                server.close().sync();
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        }
    }

    private static Channel startEchoServer(EventLoopGroup group, TestCertificates.Issued leaf) throws Exception {
        SslContext tls = SslContextBuilder.forServer(leaf.key(), leaf.certificate()).build();
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()), new HttpServerCodec(),
                                new HttpObjectAggregator(65536), new WebSocketServerProtocolHandler("/ws"),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                                        ctx.writeAndFlush(new TextWebSocketFrame("echo: " + f.text()));
                                    }
                                });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (var in = new FileInputStream(caPem.toFile())) {
            ks.setCertificateEntry("loupe", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
