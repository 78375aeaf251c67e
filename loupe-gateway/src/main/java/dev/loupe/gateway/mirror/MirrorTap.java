package dev.loupe.gateway.mirror;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Sits on the upstream channel where the bytes are plaintext (after its TLS handler, before HTTP
 * parsing): what is written is the client's side of the conversation, what is read the server's.
 * It copies and passes everything on untouched.
 */
public final class MirrorTap extends ChannelDuplexHandler {
    private final Mirror mirror;
    private final MirrorFlow flow;
    private boolean failed;

    private MirrorTap(Mirror mirror, MirrorFlow flow) {
        this.mirror = mirror;
        this.flow = flow;
    }

    /** Adds a tap to {@code upstream} just before its "idle-close" handler; the client is {@code client}. */
    public static void install(Mirror mirror, io.netty.channel.Channel client, io.netty.channel.Channel upstream) {
        if (mirror == null || !inChain(client) || !(client.remoteAddress() instanceof java.net.InetSocketAddress c)
                || !(upstream.remoteAddress() instanceof java.net.InetSocketAddress s)) {
            return;
        }
        upstream.pipeline().addBefore("idle-close", "mirror", new MirrorTap(mirror, mirror.open(c, s)));
    }

    /**
     * Adds a tap to {@code channel} that reports the flow as between {@code client} and {@code server}
     * whatever {@code channel} really connects to (e.g. an inline device standing in for the origin).
     */
    public static void install(Mirror mirror, java.net.InetSocketAddress client, java.net.InetSocketAddress server,
                               io.netty.channel.Channel channel) {
        if (mirror == null || client == null || server == null) {
            return;
        }
        channel.pipeline().addBefore("idle-close", "mirror", new MirrorTap(mirror, mirror.open(client, server)));
    }

    /** Whether the rule that decided the client's connection kept the mirror in its service chain. */
    public static boolean inChain(io.netty.channel.Channel client) {
        var session = client.attr(dev.loupe.gateway.session.Session.KEY).get();
        return session == null || session.chain().allows(dev.loupe.core.policy.ServiceChain.MIRROR);
    }

    /** For connections relayed without decryption: tapped only when {@code mirror.include-relayed} is on. */
    public static void installIfRelayedMirrored(Mirror mirror, io.netty.channel.Channel client,
                                                io.netty.channel.Channel upstream) {
        if (mirror != null && mirror.includeRelayed()) {
            install(mirror, client, upstream);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            mirror.data(flow, false, buf);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            mirror.data(flow, true, buf);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed = true;
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        mirror.control(flow, failed ? MirrorEvent.Kind.RESET : MirrorEvent.Kind.CLOSE);
        ctx.fireChannelInactive();
    }
}
