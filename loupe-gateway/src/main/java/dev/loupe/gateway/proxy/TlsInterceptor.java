package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Origin;

import dev.loupe.core.config.InvalidCertificateAction;
import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.log.UpstreamCertificateSummary;
import dev.loupe.core.pki.CertificateNames;
import dev.loupe.core.policy.CertificateFacts;
import dev.loupe.core.policy.ConnectionFacts;
import dev.loupe.core.policy.PolicyDecision;
import dev.loupe.core.policy.Verdict;
import dev.loupe.core.tls.ClientHello;
import dev.loupe.core.trust.CertificateVerdict;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.mirror.MirrorTap;
import dev.loupe.gateway.relay.Failures;
import dev.loupe.gateway.session.Session;
import dev.loupe.gateway.tls.ForgedContextCache.ClientIdentity;
import dev.loupe.gateway.tls.TlsSummaries;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decrypts one tunnel, upstream first: 1) TLS to the origin with the client's SNI; 2) validate the
 * origin's chain and name like a browser; 3) forge (off the event loop, cached) a certificate
 * mirroring the origin's names; 4) finish the client's handshake with it, replaying its held
 * ClientHello; 5) relay. A bad origin certificate is never masked: the client gets an error page
 * (over a short-lived forged certificate) or a closed connection, per configuration.
 */
final class TlsInterceptor {
    private static final Logger log = LoggerFactory.getLogger(TlsInterceptor.class);

    private final GatewayServices services;
    private final Session session;
    private final Origin origin;
    private final Channel client;
    private final Channel upstream;
    /** Non-null when a rule needs the upstream certificate before it can decide. */
    private final ConnectionFacts pendingFacts;
    private String sni;
    private ByteBuf clientHello;
    private SslHandler upstreamTls;
    /** Bytes written to the client before its handshake was answered, to tell whether it got the certificate. */
    private long clientBytesBeforeHandshake;
    private final ConnectionFacts facts;

    TlsInterceptor(GatewayServices services, Session session, Origin origin, Channel upstream,
                   ConnectionFacts facts, boolean certificateDecides) {
        this.services = services;
        this.session = session;
        this.origin = origin;
        this.client = session.client();
        this.upstream = upstream;
        this.facts = facts;
        this.pendingFacts = certificateDecides ? facts : null;
    }

    /** Takes ownership of {@code helloBytes}; they are replayed into the client-side TLS handler. */
    void start(ClientHello hello, ByteBuf helloBytes) {
        this.clientHello = helloBytes;
        this.sni = hello.serverName();
        session.sni(sni);
        client.config().setAutoRead(false);
        client.closeFuture().addListener(f -> releaseHello());
        String upstreamName = sni != null ? sni : origin.host();
        // the origin is offered what the client offered of h2 and http/1.1; the client then gets what it chose
        SslHandler tls = services.tls().upstreamFor(hello.alpnProtocols(), services.config().http2().enabled())
                .newHandler(upstream.alloc(), upstreamName, origin.port());
        upstreamTls = tls;
        tls.setHandshakeTimeout(services.config().upstream().handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        upstream.pipeline().addBefore("idle-close", "tls", tls);
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
                upstreamReady(tls.engine().getSession());
            } else {
                upstreamFailed(firstError.cause != null ? firstError.cause : f.cause());
            }
        });
    }

    /** Remembers the first exception on the upstream channel while its handshake runs. */
    private static final class FirstError extends io.netty.channel.ChannelInboundHandlerAdapter {
        Throwable cause;

        @Override
        public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable t) {
            if (cause == null) {
                cause = t;
            }
            ctx.close();
        }
    }

    private String host() {
        return sni != null ? sni : origin.host();
    }

    private void upstreamReady(SSLSession tlsSession) {
        session.upstreamTls(TlsSummaries.of(upstream.pipeline().get(SslHandler.class)));
        if (originWantsClientCertificate()) {
            return;
        }
        List<X509Certificate> chain = peerChain(tlsSession);
        CertificateVerdict verdict = services.validator().validate(chain, host());
        X509Certificate leaf = chain.isEmpty() ? null : chain.get(0);
        session.upstreamCertificate(new UpstreamCertificateSummary(
                leaf == null ? null : leaf.getSubjectX500Principal().getName(),
                leaf == null ? null : leaf.getIssuerX500Principal().getName(),
                verdict.trusted() ? "trusted" : "untrusted",
                verdict instanceof CertificateVerdict.Untrusted u ? u.problem().code() + ": " + u.detail() : null));
        switch (verdict) {
            case CertificateVerdict.Trusted trusted -> {
                if (pendingFacts != null && !decideWithCertificate(leaf)) {
                    return;
                }
                if (services.inline() == null) {
                    // with inline devices the relay taps whichever leg carries the plaintext (see HttpRelay)
                    MirrorTap.install(services.mirror(), client, upstream);
                }
                String alpn = "h2".equals(upstreamTls.applicationProtocol()) ? "h2" : "http/1.1";
                finishClient(services.forgedContexts().mirroring(leaf, sni, alpn), this::relay);
            }
            case CertificateVerdict.Untrusted untrusted -> refuse(leaf, untrusted);
        }
    }

    /**
     * A rule wanted to see the certificate: decide now. Returns true to go on decrypting; otherwise
     * this connection was handed to a bypass relay or blocked.
     */
    private boolean decideWithCertificate(X509Certificate leaf) {
        var decision = services.decider().decide(pendingFacts.withCertificate(CertificateFacts.of(leaf)));
        if (!(decision instanceof PolicyDecision.Decided decided)) {
            // cannot happen (the certificate is known now); fail closed rather than hang
            log.warn("[{}] policy undecided even with the certificate: {}", session.id(), decision);
            upstream.close();
            client.close();
            return false;
        }
        switch (decided.verdict()) {
            case Verdict.Decrypt d -> {
                session.verdict("decrypt", d.rule() + ": " + d.reason());
                return true;
            }
            case Verdict.Bypass b -> {
                // Loupe already spoke TLS on this connection: the bypass needs a fresh one
                upstream.close();
                session.verdict("bypass", b.rule() + ": " + b.reason());
                BypassRelay.start(services, session, origin, null, takeHello());
                return false;
            }
            case Verdict.Block b -> {
                TunnelDispatcher.block(session, upstream, takeHello(), b);
                return false;
            }
        }
    }

    /** mTLS origins cannot be intercepted: bypass this connection and, for a while, this host. */
    private boolean originWantsClientCertificate() {
        if (!services.tls().clientCertificateRequests().takeRequested(upstreamTls.engine())) {
            return false;
        }
        services.decider().autoBypass().serverRequestedClientCertificate(factsWithHost());
        upstream.close();
        session.verdict("bypass", "auto-bypass: the origin requested a client certificate (mTLS)");
        BypassRelay.start(services, session, origin, null, takeHello());
        return true;
    }

    private java.net.InetAddress clientAddress() {
        return ((java.net.InetSocketAddress) client.remoteAddress()).getAddress();
    }

    private ByteBuf takeHello() {
        ByteBuf hello = clientHello;
        clientHello = null;
        return hello;
    }

    private void refuse(X509Certificate leaf, CertificateVerdict.Untrusted untrusted) {
        upstream.close();
        String problem = untrusted.problem().description() + " (" + untrusted.detail() + ")";
        log.info("[{}] upstream certificate for {} refused: {}", session.id(), host(), problem);
        if (services.config().upstream().invalidCertificateAction() == InvalidCertificateAction.REJECT) {
            session.verdict("reject", "upstream certificate " + untrusted.problem().code());
            session.closeReason("upstream certificate refused");
            client.close();
            return;
        }
        session.verdict("error-page", "upstream certificate " + untrusted.problem().code());
        CertificateNames names = leaf == null ? CertificateNames.forHost(host())
                : CertificateNames.mirroring(leaf).with(host());
        showError(names, new ErrorPage(502, "Untrusted upstream certificate", problem, host()));
    }

    private void upstreamFailed(Throwable cause) {
        if (originWantsClientCertificate()) {
            return;
        }
        Failures.Kind kind = Failures.classify(cause);
        String problem = "TLS handshake with the origin failed: " + Failures.describe(cause);
        log.info("[{}] upstream TLS to {} failed: {}", session.id(), origin, Failures.describe(cause));
        session.verdict("error-page", "upstream TLS handshake failed");
        upstream.close();
        showError(CertificateNames.forHost(host()),
                new ErrorPage(kind == Failures.Kind.TIMEOUT ? 504 : 502, "Upstream TLS failure", problem, host()));
    }

    private void showError(CertificateNames names, ErrorPage page) {
        finishClient(services.forgedContexts().forErrorPage(names), () -> {
            var limits = services.config().limits();
            client.pipeline().addLast("http", dev.loupe.gateway.http.HttpCodecs.server(
                    limits.maxInitialLineLength(), limits.maxHeaderSize()));
            client.pipeline().addLast("error-page", new ErrorPageResponder(page));
            client.config().setAutoRead(true);
        });
    }

    private void finishClient(CompletableFuture<ClientIdentity> identity, Runnable onHandshake) {
        identity.whenCompleteAsync((id, error) -> {
            if (error != null) {
                log.warn("[{}] could not forge a certificate for {}: {}", session.id(), host(), error.toString());
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
            tls.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    session.clientTls(TlsSummaries.of(tls));
                    onHandshake.run();
                } else {
                    clientRefused(f.cause());
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
    private void clientRefused(Throwable cause) {
        session.closeReason("client TLS handshake failed: " + Failures.describe(cause));
        var rejection = dev.loupe.gateway.tls.ClientRejections.rejection(cause,
                session.counter().bytesOut() - clientBytesBeforeHandshake);
        if (rejection.isPresent() && session.sni() != null) {
            var outcome = services.decider().autoBypass().clientRejectedCertificate(factsWithHost());
            log.debug("[{}] client rejected the certificate for {} ({}): {}", session.id(), host(), rejection.get(),
                    outcome);
        }
        client.close();
    }

    /** The connection's facts, naming the host the certificate was forged for. */
    private ConnectionFacts factsWithHost() {
        return new ConnectionFacts(clientAddress(), facts == null ? null : facts.destination(), origin.port(),
                host(), facts == null ? origin.host() : facts.connectHost(),
                facts == null ? java.util.List.of() : facts.alpnOffered(), session.listener(), null);
    }

    private void relay() {
        DecryptedProtocolSniffer.install(services, session, origin, upstream);
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
}
