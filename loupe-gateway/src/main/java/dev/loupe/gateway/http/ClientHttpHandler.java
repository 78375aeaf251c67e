package dev.loupe.gateway.http;

import dev.loupe.gateway.relay.Failures;
import dev.loupe.gateway.session.Session;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** Thin pipeline adapter: client-side HTTP messages and events into {@link HttpRelay}. */
final class ClientHttpHandler extends ChannelInboundHandlerAdapter {
    private final HttpRelay relay;

    ClientHttpHandler(HttpRelay relay) {
        this.relay = relay;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        relay.handleRequest(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        relay.flushUpstream();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        relay.updateUpstreamReads();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == dev.loupe.gateway.session.DrainEvent.INSTANCE) {
            relay.drain();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        relay.clientClosed();
        if (relay.upstream() != null) {
            relay.upstream().close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Session.of(ctx.channel()).closeReason("client error: " + Failures.describe(cause));
        ctx.close();
    }
}
