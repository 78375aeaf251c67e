package dev.loupe.gateway.proxy;

import dev.loupe.core.http.FirstBytes;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads the first plaintext of a decrypted tunnel whose ALPN agreed nothing, until it tells: the client's
 * bytes are classified by {@link FirstBytes} (a request line split over records waits for more), the origin
 * speaking first (IMAPS, POP3S, SMTPS greet) decides at once, and silence decides at the sniff timeout. What
 * it means is {@link DecryptedPath}'s to act on ({@code DecryptedNext.afterFirstBytes}); what the origin sends
 * is never held back by the wait for the client.
 */
final class DecryptedProtocolSniffer extends ChannelInboundHandlerAdapter {
    private final GatewayServices services;
    private final DecryptedPath path;
    private final Channel upstream;
    private ScheduledFuture<?> timeout;
    /** What the client sent so far, while it is too short to tell (e.g. a one-byte first record). */
    private ByteBuf held;
    private boolean decided;

    private DecryptedProtocolSniffer(GatewayServices services, DecryptedPath path, Channel upstream) {
        this.services = services;
        this.path = path;
        this.upstream = upstream;
    }

    /** Sniffs the client of a decrypted tunnel whose ALPN agreed nothing; {@code path} hears the outcome. */
    static void install(GatewayServices services, DecryptedPath path, Channel upstream) {
        DecryptedProtocolSniffer sniffer = new DecryptedProtocolSniffer(services, path, upstream);
        Channel client = path.client();
        client.pipeline().addLast("plaintext-sniff", sniffer);
        // watch the origin while the client is sniffed: a greeting decides at once and is relayed at once
        upstream.pipeline().addLast("origin-first", new OriginFirst(sniffer, client));
        upstream.config().setAutoRead(true);
    }

    static boolean looksLikeHttp(ByteBuf buf) {
        return classify(buf) == FirstBytes.Guess.HTTP;
    }

    static FirstBytes.Guess classify(ByteBuf buf) {
        int from = buf.readerIndex();
        return FirstBytes.classify(i -> buf.getByte(from + i), buf.readableBytes());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> decide(ctx, null, null),
                services.config().limits().sniffTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (decided) {
            ReferenceCountUtil.release(in);
            return;
        }
        if (held == null) {
            held = in;
        } else {
            held = ctx.alloc().compositeBuffer().addComponents(true, held, in);
        }
        if (classify(held) == FirstBytes.Guess.UNDECIDED) {
            return; // wait for more (or the timeout): a request line split over records is still HTTP
        }
        ByteBuf first = held;
        held = null;
        decide(ctx, first, null);
    }

    /** The origin sent bytes before the client's first bytes decided anything: a server-first protocol. */
    private void originSpoke(ChannelHandlerContext ctx, ByteBuf fromOrigin) {
        if (decided) {
            ReferenceCountUtil.release(fromOrigin);
            return;
        }
        ByteBuf first = held;
        held = null;
        decide(ctx, first, fromOrigin);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (held != null) {
            held.release();
            held = null;
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    /**
     * Takes ownership of {@code first} (the client's bytes; may be null on timeout or when the origin spoke
     * first) and {@code fromOrigin} (non-null when the origin spoke first), and starts the chosen relay.
     */
    private void decide(ChannelHandlerContext ctx, ByteBuf first, ByteBuf fromOrigin) {
        if (decided) {
            ReferenceCountUtil.release(first);
            ReferenceCountUtil.release(fromOrigin);
            return;
        }
        decided = true;
        if (first == null && held != null) {
            first = held; // the timeout, with a few undecided bytes in hand
            held = null;
        }
        timeout.cancel(false);
        if (upstream.pipeline().get("origin-first") != null) {
            upstream.pipeline().remove("origin-first");
        }
        upstream.config().setAutoRead(false);
        ctx.pipeline().remove(this);
        path.sniffed(first, fromOrigin);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Session.of(ctx.channel()).closeReason("client error: " + dev.loupe.gateway.relay.Failures.describe(cause));
        ctx.close();
    }

    /** On the origin's side while the client is sniffed: its first bytes decide, its close ends the client. */
    private static final class OriginFirst extends ChannelInboundHandlerAdapter {
        private final DecryptedProtocolSniffer sniffer;
        private final Channel client;

        OriginFirst(DecryptedProtocolSniffer sniffer, Channel client) {
            this.sniffer = sniffer;
            this.client = client;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ChannelHandlerContext sniff = client.pipeline().context(sniffer);
            if (!(msg instanceof ByteBuf buf) || sniff == null) {
                ReferenceCountUtil.release(msg);
                return;
            }
            sniffer.originSpoke(sniff, buf);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Session session = Session.of(client);
            if (session != null) {
                session.closeReason("upstream closed");
            }
            client.close();
            ctx.fireChannelInactive();
        }
    }
}
