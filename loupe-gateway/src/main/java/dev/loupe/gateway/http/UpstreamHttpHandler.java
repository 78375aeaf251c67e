package dev.loupe.gateway.http;

import dev.loupe.gateway.relay.Failures;
import dev.loupe.gateway.session.Session;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** Thin pipeline adapter: upstream-side HTTP messages and events into {@link HttpRelay}. */
final class UpstreamHttpHandler extends ChannelInboundHandlerAdapter {
    private final HttpRelay relay;

    UpstreamHttpHandler(HttpRelay relay) {
        this.relay = relay;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        relay.handleResponse(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        relay.client().flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        relay.updateClientReads();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Only the live upstream matters; a replaced one closing late is not news.
        if (relay.upstream() == ctx.channel()) {
            relay.upstreamClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Session session = Session.of(ctx.channel());
        if (session != null) {
            String device = relay.inlineDevice();
            session.closeReason(device != null
                    ? "inline service " + device + " ended the connection (" + Failures.describe(cause) + ")"
                    : "upstream error: " + Failures.describe(cause));
        }
        ctx.close();
    }
}
