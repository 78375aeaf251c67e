package dev.loupe.gateway.proxy;

import dev.loupe.gateway.relay.OriginConnector;
import dev.loupe.core.config.InlineServiceConfig;
import dev.loupe.gateway.inline.InlineHttpService;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The loop probe of an inline L3 device: a connection from {@code probe-source} to {@code probe-destination}
 * with the device's routing mark, so it crosses the device and comes back to Loupe's TPROXY return
 * listener, which answers a probe request itself. Called from the prober thread; blocks until the answer.
 */
public final class InlineL3Probe implements InlineHttpService.L3Probe {
    private final OriginConnector connector;
    private final EventLoopGroup loops;
    private final InlineServiceConfig config;

    public InlineL3Probe(OriginConnector connector, EventLoopGroup loops, InlineServiceConfig config) {
        this.connector = connector;
        this.loops = loops;
        this.config = config;
    }

    @Override
    public String exchange(InlineHttpService.Device device, String request, int timeoutMillis) throws IOException {
        CompletableFuture<String> answer = new CompletableFuture<>();
        StringBuilder received = new StringBuilder();
        ChannelFuture connected = connector.connectTransparent(loops.next(),
                new InetSocketAddress(config.probeDestination(), config.serverPort()),
                new InetSocketAddress(config.probeSource(), 0), device.mark());
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                answer.completeExceptionally(f.cause());
                return;
            }
            var ch = connected.channel();
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf buf = (ByteBuf) msg;
                    received.append(buf.toString(StandardCharsets.ISO_8859_1));
                    buf.release();
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    answer.complete(received.toString());
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    answer.completeExceptionally(cause);
                    ctx.close();
                }
            });
            ch.config().setAutoRead(true);
            ch.writeAndFlush(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        });
        try {
            return answer.get(timeoutMillis * 2L, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (Exception e) {
            throw new IOException(e.getCause() != null ? e.getCause().toString() : e.toString());
        } finally {
            connected.channel().close();
        }
    }
}
