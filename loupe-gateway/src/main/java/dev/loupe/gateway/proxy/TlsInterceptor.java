package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Origin;
import dev.loupe.core.tls.ClientHello;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.relay.Failures;
import dev.loupe.gateway.session.Session;
import dev.loupe.gateway.tls.ClientRejections;
import dev.loupe.gateway.tls.ForgedContextCache.ClientIdentity;
import dev.loupe.gateway.tls.TlsSummaries;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import dev.loupe.gateway.tls.ServerHelloTap;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two TLS handshakes of a decrypted tunnel, upstream first: TLS to the origin with the client's SNI and
 * ALPN offers, then the client's handshake with a forged certificate, replaying its held ClientHello. What
 * each outcome means is {@link DecryptedPath}'s to decide; this class only runs handshakes and reports.
 */
final class TlsInterceptor {
    private static final Logger log = LoggerFactory.getLogger(TlsInterceptor.class);

    private final GatewayServices services;
    private final Session session;
    private final Channel client;
    private final Channel upstream;
    private ByteBuf clientHello;
    private SslHandler upstreamTls;
    /** Bytes written to the client before its handshake was answered, to tell whether it got the certificate. */
    private long clientBytesBeforeHandshake;

    /** Takes ownership of {@code helloBytes}; they are replayed into the client-side TLS handler. */
    TlsInterceptor(GatewayServices services, Session session, Channel upstream, ByteBuf helloBytes) {
        this.services = services;
        this.session = session;
        this.client = session.client();
        this.upstream = upstream;
        this.clientHello = helloBytes;
        client.closeFuture().addListener(f -> releaseHello());
    }

    /** The origin's TLS, once its handshake has finished (null before). */
    SslHandler upstreamTls() {
        return upstreamTls;
    }

    /** The held ClientHello, for a relay that takes the connection over instead (null once taken). */
    ByteBuf takeHello() {
        ByteBuf hello = clientHello;
        clientHello = null;
        return hello;
    }

    /** Starts TLS to the origin; exactly one of the two callbacks runs, on the upstream event loop. */
    void startOrigin(ClientHello hello, Origin origin, Consumer<SSLSession> ready, Consumer<Throwable> failed) {
        client.config().setAutoRead(false);
        String upstreamName = hello.serverName() != null ? hello.serverName() : origin.host();
        // the origin is offered what the client offered of h2 and http/1.1; the client then gets what it chose
        SslHandler tls = services.tls().upstreamFor(hello.alpnProtocols(), services.config().http2().enabled(),
                        hello.sentPostQuantumKeyShare())
                .newHandler(upstream.alloc(), upstreamName, origin.port());
        upstreamTls = tls;
        tls.setHandshakeTimeout(services.config().upstream().handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        upstream.pipeline().addBefore("idle-close", "tls", tls);
        upstream.pipeline().addBefore("tls", ServerHelloTap.NAME, new ServerHelloTap(session::serverFingerprints));
        // The handshake future only says "closed" when the origin resets; keep the real cause.
        FirstError firstError = new FirstError();
        // what the origin sends right after its handshake (a TLS 1.3 greeting) waits here for the relay
        upstream.pipeline().addLast(HeldBytes.NAME, new HeldBytes());
        upstream.pipeline().addLast("tls-errors", firstError);
        upstream.config().setAutoRead(true);
        tls.handshakeFuture().addListener(f -> {
            upstream.config().setAutoRead(false);
            if (upstream.pipeline().get("tls-errors") != null) {
                upstream.pipeline().remove("tls-errors");
            }
            if (f.isSuccess()) {
                session.upstreamTls(TlsSummaries.of(tls));
                ready.accept(tls.engine().getSession());
            } else {
                failed.accept(firstError.cause != null ? firstError.cause : f.cause());
            }
        });
    }

    /** True once, when the origin asked for a client certificate during its handshake. */
    boolean originRequestedClientCertificate() {
        return upstreamTls != null
                && services.tls().clientCertificateRequests().takeRequested(upstreamTls.engine());
    }

    /**
     * Finishes the client's handshake with {@code identity} and runs {@code onHandshake} with the ALPN agreed.
     * A client that refuses the certificate (the signature of pinning) counts towards an automatic bypass via
     * {@code onPinning}.
     */
    void finishClient(CompletableFuture<ClientIdentity> identity, String host, Consumer<String> onHandshake,
                      Runnable onPinning) {
        identity.whenCompleteAsync((id, error) -> {
            if (error != null) {
                log.warn("[{}] could not forge a certificate for {}: {}", session.id(), host, error.toString());
                session.closeReason("certificate forging failed");
                client.close();
                return;
            }
            if (!client.isActive()) {
                return;
            }
            SslHandler tls = id.context().newHandler(client.alloc());
            tls.setHandshakeTimeout(services.config().limits().clientHandshakeTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
            client.pipeline().addAfter("idle-close", "tls", tls);
            // a failed handshake is reported (and logged once) by the future below, not by Netty's pipeline tail
            client.pipeline().addAfter("tls", HANDSHAKE_ERRORS, HandshakeErrors.INSTANCE);
            tls.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    // on failure it stays: the handshake's exception comes after this listener has run
                    client.pipeline().remove(HANDSHAKE_ERRORS);
                    session.clientTls(TlsSummaries.of(tls));
                    onHandshake.accept(tls.applicationProtocol());
                } else {
                    clientRefused(f.cause(), host, onPinning);
                }
            });
            clientBytesBeforeHandshake = session.counter().bytesOut();
            Replay.into(client.pipeline(), "tls", takeHello());
            client.config().setAutoRead(true);
        }, client.eventLoop());
    }

    /**
     * The client gave up on our handshake. Only a real rejection of our certificate (a certificate alert, or a
     * close after it was sent: the signature of certificate pinning) counts towards an automatic bypass.
     */
    private void clientRefused(Throwable cause, String host, Runnable onPinning) {
        session.closeReason("client TLS handshake failed: " + Failures.describe(cause));
        var rejection = ClientRejections.rejection(cause, session.counter().bytesOut() - clientBytesBeforeHandshake);
        if (rejection.isPresent() && session.sni() != null) {
            log.debug("[{}] client rejected the certificate for {}: {}", session.id(), host, rejection.get());
            onPinning.run();
        }
        client.close();
    }

    static List<X509Certificate> peerChain(SSLSession tlsSession) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : tlsSession.getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            // no certificate: the validator reports NO_CERTIFICATE
        }
        return chain;
    }

    private void releaseHello() {
        if (clientHello != null) {
            clientHello.release();
            clientHello = null;
        }
    }

    private static final String HANDSHAKE_ERRORS = "tls-handshake-errors";

    /** Swallows the exceptions of the client's TLS handshake, which its handshake future reports. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class HandshakeErrors extends ChannelInboundHandlerAdapter {
        static final HandshakeErrors INSTANCE = new HandshakeErrors();

        @Override
        public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Remembers the first exception on the upstream channel while its handshake runs. */
    private static final class FirstError extends ChannelInboundHandlerAdapter {
        Throwable cause;

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
            if (cause == null) {
                cause = t;
            }
            ctx.close();
        }
    }
}
