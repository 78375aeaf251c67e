package dev.loupe.gateway.proxy;

import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.http.HttpRelay;
import dev.loupe.gateway.relay.ByteRelayHandler;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Chooses the codec for decrypted plaintext: 1) ALPN agreed http/1.1 → HTTP; 2) the first bytes
 * look like an HTTP request line → HTTP; 3) anything else, or silence until the sniff timeout
 * (server-speaks-first protocols such as IMAPS) → opaque byte relay of the plaintext.
 */
final class DecryptedProtocolSniffer extends ChannelInboundHandlerAdapter {
    private static final int MAX_METHOD = 16;

    private final GatewayServices services;
    private final Session session;
    private final Origin origin;
    private final Channel upstream;
    private ScheduledFuture<?> timeout;
    /** What the client sent so far, while it is too short to tell (e.g. a one-byte first record). */
    private ByteBuf held;

    /** What the first bytes say. */
    enum Guess { HTTP, OTHER, UNDECIDED }

    private DecryptedProtocolSniffer(GatewayServices services, Session session, Origin origin, Channel upstream) {
        this.services = services;
        this.session = session;
        this.origin = origin;
        this.upstream = upstream;
    }

    static void install(GatewayServices services, Session session, Origin origin, Channel upstream) {
        Channel client = session.client();
        SslHandler tls = client.pipeline().get(SslHandler.class);
        if ("http/1.1".equals(tls.applicationProtocol())) {
            startHttp(services, session, origin, upstream);
            return;
        }
        client.pipeline().addLast("plaintext-sniff", new DecryptedProtocolSniffer(services, session, origin, upstream));
    }

    private static void startHttp(GatewayServices services, Session session, Origin origin, Channel upstream) {
        var limits = services.config().limits();
        HttpRelay.tunnel(session, services.connector(), services.mirror(), services.decider().intel(), services.icap(),
                services.inline(), services.inline() == null ? null : new TlsOriginConnector(services)::connect,
                upstream, origin, limits.maxInitialLineLength(), limits.maxHeaderSize());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> decide(ctx, null),
                services.config().limits().sniffTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (held == null) {
            held = in;
        } else {
            held = ctx.alloc().compositeBuffer().addComponents(true, held, in);
        }
        if (classify(held) == Guess.UNDECIDED && held.readableBytes() < 64) {
            return; // wait for more (or the timeout): a request line split over records is still HTTP
        }
        ByteBuf first = held;
        held = null;
        decide(ctx, first);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    /** Takes ownership of {@code first} (may be null on timeout) and forwards it to the chosen relay. */
    private void decide(ChannelHandlerContext ctx, ByteBuf first) {
        if (first == null && held != null) {
            first = held; // the timeout, with a few undecided bytes in hand
            held = null;
        }
        timeout.cancel(false);
        ctx.pipeline().remove(this);
        Channel client = ctx.channel();
        if (first != null && looksLikeHttp(first)) {
            startHttp(services, session, origin, upstream);
            Replay.into(client.pipeline(), "http", first);
            return;
        }
        if (services.inline() != null && !services.inline().service().failOpen()) {
            // the inline service only understands HTTP: with fail-closed, nothing goes around it
            if (first != null) {
                first.release();
            }
            session.verdict("block", "decrypted, not HTTP: inline service " + services.inline().service().name()
                    + " cannot inspect it (fail-closed)");
            session.closeReason("not HTTP, and the inline service is fail-closed");
            client.close();
            upstream.close();
            return;
        }
        session.verdict("decrypt", "decrypted, not HTTP: relayed as plaintext bytes");
        if (services.inline() != null) {
            // not HTTP, so no inline device: the mirror taps the origin connection as without inline services
            dev.loupe.gateway.mirror.MirrorTap.install(services.mirror(), client, upstream);
        }
        ByteRelayHandler.link(client, upstream, "relay");
        if (first != null) {
            upstream.writeAndFlush(first);
        }
    }

    static boolean looksLikeHttp(ByteBuf buf) {
        return classify(buf) == Guess.HTTP;
    }

    /**
     * An upper-case method and a space, after any empty lines (RFC 9112 lets a server ignore CRLFs before a
     * request line); undecided while the bytes so far are only the start of a method.
     */
    static Guess classify(ByteBuf buf) {
        int start = buf.readerIndex();
        int end = buf.writerIndex();
        while (start < end && (buf.getByte(start) == '\r' || buf.getByte(start) == '\n')) {
            start++;
        }
        int n = Math.min(end - start, MAX_METHOD);
        for (int i = 0; i < n; i++) {
            byte b = buf.getByte(start + i);
            if (b == ' ') {
                // "PRI" opens the HTTP/2 connection preface, which an HTTP/1.1 codec must not parse
                boolean pri = i == 3 && buf.getByte(start) == 'P' && buf.getByte(start + 1) == 'R'
                        && buf.getByte(start + 2) == 'I';
                return i >= 3 && !pri ? Guess.HTTP : Guess.OTHER;
            }
            if (b < 'A' || b > 'Z') {
                return Guess.OTHER;
            }
        }
        return n < MAX_METHOD ? Guess.UNDECIDED : Guess.OTHER;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Session.of(ctx.channel()).closeReason("client error: " + dev.loupe.gateway.relay.Failures.describe(cause));
        ctx.close();
    }
}
