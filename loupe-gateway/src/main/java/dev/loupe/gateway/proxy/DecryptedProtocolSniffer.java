package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Origin;

import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.http.HttpRelays;
import dev.loupe.gateway.mirror.MirrorTap;
import dev.loupe.gateway.relay.ByteRelayHandler;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Chooses the codec for decrypted plaintext: 1) ALPN agreed http/1.1 → HTTP; 2) the origin speaks first
 * (IMAPS, POP3S, SMTPS greet) → not HTTP, and its bytes go to the client at once; 3) the client's first
 * bytes look like an HTTP request line → HTTP; 4) anything else, or silence until the sniff timeout →
 * opaque byte relay of the plaintext, unless a fail-closed service refuses streams it cannot inspect
 * ({@link NonHttpGate}). What the origin sends is never held back by the wait for the client.
 */
final class DecryptedProtocolSniffer extends ChannelInboundHandlerAdapter {
    private static final int MAX_METHOD = 16;
    /** How much of an odd first line is read before it is taken for something other than HTTP. */
    private static final int MAX_LINE = 2048;
    /**
     * Methods from the IANA registry that real clients send: these decide at once. Any other word (a line
     * protocol's {@code HELO host}) must first show an {@code HTTP/d.d} line end.
     */
    private static final Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT",
            "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE",
            "LOCK", "UNLOCK", "REPORT", "SEARCH", "MKCALENDAR", "ACL", "BIND", "UNBIND", "REBIND", "MERGE",
            "CHECKOUT", "CHECKIN", "UNCHECKOUT", "VERSION-CONTROL", "LABEL", "UPDATE", "MKACTIVITY",
            "MKWORKSPACE", "BASELINE-CONTROL", "ORDERPATCH", "QUERY");

    private final GatewayServices services;
    private final Session session;
    private final Origin origin;
    private final Channel upstream;
    /** Why a non-HTTP stream would be refused here; then origin bytes are held rather than relayed early. */
    private final Optional<String> refusal;
    private ScheduledFuture<?> timeout;
    /** What the client sent so far, while it is too short to tell (e.g. a one-byte first record). */
    private ByteBuf held;
    private boolean decided;

    /** What the first bytes say. */
    enum Guess { HTTP, OTHER, UNDECIDED }

    private DecryptedProtocolSniffer(GatewayServices services, Session session, Origin origin, Channel upstream) {
        this.services = services;
        this.session = session;
        this.origin = origin;
        this.upstream = upstream;
        this.refusal = NonHttpGate.refusal(services, session.sni() != null ? session.sni() : origin.host(), true);
    }

    static void install(GatewayServices services, Session session, Origin origin, Channel upstream) {
        Channel client = session.client();
        SslHandler tls = client.pipeline().get(SslHandler.class);
        ByteBuf early = HeldBytes.take(upstream);
        if ("h2".equals(tls.applicationProtocol())) {
            startHttp2(services, session, origin, upstream);
            if (early != null) {
                Replay.into(upstream.pipeline(), "h2", early); // the origin's SETTINGS, read with the handshake
            }
            return;
        }
        if ("http/1.1".equals(tls.applicationProtocol())) {
            startHttp(services, session, origin, upstream);
            if (early != null) {
                Replay.into(upstream.pipeline(), "http", early); // out of turn for HTTP: the relay says so
            }
            return;
        }
        DecryptedProtocolSniffer sniffer = new DecryptedProtocolSniffer(services, session, origin, upstream);
        client.pipeline().addLast("plaintext-sniff", sniffer);
        if (early != null) {
            sniffer.originSpoke(client.pipeline().context(sniffer), early);
            return;
        }
        // watch the origin while the client is sniffed: a greeting decides at once and is relayed at once
        upstream.pipeline().addLast("origin-first", new OriginFirst(sniffer, client));
        upstream.config().setAutoRead(true);
    }

    private static void startHttp(GatewayServices services, Session session, Origin origin, Channel upstream) {
        var limits = services.config().limits();
        HttpRelays.tunnel(session, Guards.of(services), services.connector(), services.mirror(),
                services.stages(), services.inline(),
                services.inline() == null ? null : new TlsOriginConnector(services)::connect,
                upstream, origin, limits.maxInitialLineLength(), limits.maxHeaderSize());
    }

    /** Both sides chose h2: each client stream is one exchange on the same relay as HTTP/1.1, with its own upstream stream. */
    private static void startHttp2(GatewayServices services, Session session, Origin origin, Channel upstream) {
        var guards = Guards.of(services);
        var directTls = services.inline() == null ? null : new TlsOriginConnector(services);
        var originAddress = upstream.remoteAddress() instanceof java.net.InetSocketAddress a ? a : null;
        dev.loupe.gateway.http2.Http2Tunnel.start(session, session.client(), upstream, services.config().http2(),
                services.config().limits().maxHeaderSize(), (clientStream, upstreamStream) -> HttpRelays.stream(
                        session, clientStream, guards, services.connector(), services.mirror(),
                        services.stages(), services.inline(),
                        directTls == null ? null : directTls::connect, upstreamStream, origin, originAddress));
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
        if (classify(held) == Guess.UNDECIDED) {
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
        Channel client = ctx.channel();
        if (fromOrigin == null && first != null && looksLikeHttp(first)) {
            startHttp(services, session, origin, upstream);
            Replay.into(client.pipeline(), "http", first);
            return;
        }
        if (refusal.isPresent()) {
            ReferenceCountUtil.release(first);
            ReferenceCountUtil.release(fromOrigin);
            session.verdict("block", "decrypted, not HTTP: " + refusal.get());
            session.closeReason("not HTTP, refused: " + refusal.get());
            client.close();
            upstream.close();
            return;
        }
        session.verdict("decrypt", "decrypted, not HTTP" + (fromOrigin != null ? " (the origin spoke first)" : "")
                + ": relayed as plaintext bytes");
        if (services.inline() != null) {
            // not HTTP, so no inline device: the mirror taps the origin connection as without inline services
            MirrorTap.install(services.mirror(), client, upstream);
        }
        ByteRelayHandler.link(client, upstream, "relay");
        if (fromOrigin != null) {
            client.writeAndFlush(fromOrigin);
        }
        if (first != null) {
            upstream.writeAndFlush(first);
        }
    }

    static boolean looksLikeHttp(ByteBuf buf) {
        return classify(buf) == Guess.HTTP;
    }

    /**
     * HTTP when the bytes (after any empty lines, which RFC 9112 lets a server ignore) open with a registered
     * method and a space, or when their first line is a token, whitespace and anything ending in
     * {@code HTTP/d.d}: an odd request line ({@code post /x HTTP/1.1}, a tab for a space) is still HTTP to a
     * lenient origin, so it must meet the strict codec (and be refused or logged), never go out as opaque
     * bytes. Undecided while the bytes so far could still become either.
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
                // a registered method needs no more bytes; "PRI" (the HTTP/2 preface) and unknown words do
                if (KNOWN_METHODS.contains(buf.toString(start, i, StandardCharsets.US_ASCII))) {
                    return Guess.HTTP;
                }
                break;
            }
            if (b < 'A' || b > 'Z') {
                break;
            }
        }
        return classifyLine(buf, start, end);
    }

    private static Guess classifyLine(ByteBuf buf, int start, int end) {
        int i = start;
        while (i < end && isTokenChar(buf.getByte(i))) {
            i++;
        }
        if (i == end) {
            return i - start < MAX_LINE ? Guess.UNDECIDED : Guess.OTHER;
        }
        byte separator = buf.getByte(i);
        if (i == start || (separator != ' ' && separator != '\t')) {
            return Guess.OTHER;
        }
        int limit = Math.min(end, start + MAX_LINE);
        for (; i < limit; i++) {
            byte b = buf.getByte(i);
            if (b == '\n') {
                int last = i > start && buf.getByte(i - 1) == '\r' ? i - 1 : i;
                return endsWithHttpVersion(buf, start, last) && !isPreface(buf, start) ? Guess.HTTP : Guess.OTHER;
            }
            if (b >= 0 && b < 0x20 && b != '\t' && b != '\r') {
                return Guess.OTHER;
            }
        }
        return limit == end && end - start < MAX_LINE ? Guess.UNDECIDED : Guess.OTHER;
    }

    /** {@code HTTP/d.d} (any case) just before {@code lineEnd}. */
    private static boolean endsWithHttpVersion(ByteBuf buf, int start, int lineEnd) {
        int v = lineEnd - 8;
        if (v <= start) {
            return false;
        }
        String tail = buf.toString(v, 8, StandardCharsets.ISO_8859_1);
        return tail.regionMatches(true, 0, "HTTP/", 0, 5) && Character.isDigit(tail.charAt(5))
                && tail.charAt(6) == '.' && Character.isDigit(tail.charAt(7));
    }

    private static boolean isPreface(ByteBuf buf, int start) {
        return buf.writerIndex() - start >= 4 && buf.toString(start, 4, StandardCharsets.ISO_8859_1)
                .equals("PRI ");
    }

    /** RFC 9110 §5.6.2 tchar. */
    private static boolean isTokenChar(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
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
