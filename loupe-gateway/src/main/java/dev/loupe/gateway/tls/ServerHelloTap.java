package dev.loupe.gateway.tls;

import dev.loupe.core.tls.ServerHelloParser;
import dev.loupe.core.tls.TlsFingerprints;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.BiConsumer;

/**
 * Watches the first bytes an origin sends, passing them on untouched, until it has read the ServerHello; then
 * reports its JA3S and JA4S and leaves the pipeline. Bytes that are not a ServerHello end the watch silently:
 * the TLS stack (or the client, for a bypassed connection) judges them, not this.
 */
public final class ServerHelloTap extends ChannelInboundHandlerAdapter {
    public static final String NAME = "server-hello-tap";
    /** A ServerHello with every extension a server sends fits well within this. */
    private static final int LIMIT = 4_096;

    private final BiConsumer<String, String> onFingerprints;
    private byte[] seen = new byte[256];
    private int length;

    /** {@code onFingerprints} receives (ja3s, ja4s) on the channel's event loop. */
    public ServerHelloTap(BiConsumer<String, String> onFingerprints) {
        this.onFingerprints = onFingerprints;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            int take = Math.min(buf.readableBytes(), LIMIT - length);
            if (length + take > seen.length) {
                seen = java.util.Arrays.copyOf(seen, Math.max(length + take, seen.length * 2));
            }
            buf.getBytes(buf.readerIndex(), seen, length, take);
            length += take;
            switch (ServerHelloParser.parse(seen, 0, length)) {
                case ServerHelloParser.Result.Parsed p -> {
                    onFingerprints.accept(TlsFingerprints.ja3s(p.hello()), TlsFingerprints.ja4s(p.hello()));
                    done(ctx);
                }
                case ServerHelloParser.Result.NotAServerHello n -> done(ctx);
                case ServerHelloParser.Result.NeedMore m -> {
                    if (length >= LIMIT) {
                        done(ctx);
                    }
                }
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void done(ChannelHandlerContext ctx) {
        seen = null;
        ctx.pipeline().remove(this);
    }
}
