package dev.loupe.gateway.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;

/**
 * The client connections the listeners accepted, so that shutting down closes each one through its pipeline:
 * an HTTP/2 connection then says GOAWAY (RFC 9113 §6.8) before it goes, where an event loop's own shutdown
 * would drop the socket unannounced. Installed as a listener's server-channel handler, it sees every accepted
 * channel before the acceptor registers it; closed channels leave the group by themselves.
 */
@ChannelHandler.Sharable
public final class ClientConnections extends ChannelInboundHandlerAdapter {
    private final ChannelGroup open = new DefaultChannelGroup("loupe-clients", GlobalEventExecutor.INSTANCE);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel child) {
            open.add(child);
        }
        ctx.fireChannelRead(msg);
    }

    public int size() {
        return open.size();
    }

    /** Tells every client connection that the gateway is leaving ({@code event} travels its pipeline). */
    public void announce(Object event) {
        for (Channel ch : open) {
            ch.pipeline().fireUserEventTriggered(event);
        }
    }

    /** Closes every client connection through its pipeline, waiting at most {@code patience} for them. */
    public void closeAll(Duration patience) {
        open.close().awaitUninterruptibly(patience.toMillis());
    }
}
