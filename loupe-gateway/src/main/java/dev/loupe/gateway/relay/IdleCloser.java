package dev.loupe.gateway.relay;

import dev.loupe.gateway.session.Session;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/** Closes a channel that has been idle for the configured time (events from IdleStateHandler). */
@Sharable
public final class IdleCloser extends ChannelInboundHandlerAdapter {
    public static final IdleCloser INSTANCE = new IdleCloser();

    private IdleCloser() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            Session session = Session.of(ctx.channel());
            if (session != null) {
                session.closeReason("idle timeout");
            }
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
