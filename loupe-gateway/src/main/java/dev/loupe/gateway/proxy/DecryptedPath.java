package dev.loupe.gateway.proxy;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.log.UpstreamCertificateSummary;
import dev.loupe.core.net.Origin;
import dev.loupe.core.pki.CertificateNames;
import dev.loupe.core.policy.CertificateFacts;
import dev.loupe.core.policy.ConnectionFacts;
import dev.loupe.core.policy.DecryptedNext;
import dev.loupe.core.tls.ClientHello;
import dev.loupe.core.trust.CertificateVerdict;
import dev.loupe.core.config.InvalidCertificateAction;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.http.HttpCodecs;
import dev.loupe.gateway.http.HttpRelays;
import dev.loupe.gateway.http2.Http2Tunnel;
import dev.loupe.gateway.mirror.MirrorTap;
import dev.loupe.gateway.relay.ByteRelayHandler;
import dev.loupe.gateway.relay.Failures;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out, for one tunnel whose ClientHello was read, what {@link DecryptedNext} decides at each point
 * (ClientHello, origin handshake, client handshake, first plaintext bytes), and asks it again at the next.
 * This is the one place where a decrypted connection's course is acted on: the handshakes are
 * {@link TlsInterceptor}'s, the sniffing {@link DecryptedProtocolSniffer}'s, the relays are the HTTP and
 * byte relays'.
 */
final class DecryptedPath {
    private static final Logger log = LoggerFactory.getLogger(DecryptedPath.class);

    private final GatewayServices services;
    private final Session session;
    private final Origin origin;
    private final Channel client;
    private final Channel upstream;
    private final ConnectionFacts facts;
    private final ClientHello hello;
    private final TlsInterceptor tls;
    private X509Certificate leaf;
    private boolean certificateDecides;
    /** What the origin sent with or right after its handshake (a greeting, h2 SETTINGS), until a relay takes it. */
    private ByteBuf fromOrigin;
    /** The client's first plaintext bytes, read by the sniffer, until a relay takes them. */
    private ByteBuf fromClient;

    /** Takes ownership of {@code helloBytes}. */
    DecryptedPath(GatewayServices services, Session session, Origin origin, Channel upstream, ConnectionFacts facts,
                  ClientHello hello, ByteBuf helloBytes) {
        this.services = services;
        this.session = session;
        this.origin = origin;
        this.client = session.client();
        this.upstream = upstream;
        this.facts = facts;
        this.hello = hello;
        this.tls = new TlsInterceptor(services, session, upstream, helloBytes);
    }

    void proceed(DecryptedNext next) {
        switch (next) {
            case DecryptedNext.Intercept intercept -> {
                if (intercept.verdict() != null) {
                    session.verdict("decrypt", intercept.verdict().rule() + ": " + intercept.verdict().reason());
                    session.chain(services.chainOf(intercept.verdict().rule()));
                }
                session.sni(hello.serverName());
                certificateDecides = intercept.certificateDecides();
                tls.startOrigin(hello, origin, this::originReady, this::originFailed);
            }
            case DecryptedNext.Bypass bypass -> {
                session.sni(hello.serverName());
                session.verdict("bypass", bypass.verdict().rule() + ": " + bypass.verdict().reason());
                bypass();
            }
            case DecryptedNext.Block block -> TunnelDispatcher.block(session, upstream, tls.takeHello(),
                    block.verdict());
            case DecryptedNext.BypassMutualTls mtls -> {
                services.decider().autoBypass().serverRequestedClientCertificate(factsWithHost());
                session.verdict("bypass", "auto-bypass: the origin requested a client certificate (mTLS)");
                bypass();
            }
            case DecryptedNext.AskPolicyWithCertificate ask -> proceed(DecryptedNext.afterCertificateDecision(
                    services.decider().decide(facts.withCertificate(CertificateFacts.of(leaf))), originAlpn()));
            case DecryptedNext.RefuseCertificate refuse -> refuse(refuse);
            case DecryptedNext.OriginHandshakeFailed failed -> {
                log.info("[{}] upstream TLS to {} failed: {}", session.id(), origin, failed.problem());
                session.verdict("error-page", "upstream TLS handshake failed");
                upstream.close();
                showError(CertificateNames.forHost(host()), new ErrorPage(failed.status(), "Upstream TLS failure",
                        "TLS handshake with the origin failed: " + failed.problem(), host()));
            }
            case DecryptedNext.Forge forge -> {
                if (forge.decided() != null) {
                    session.verdict("decrypt", forge.decided().rule() + ": " + forge.decided().reason());
                    session.chain(services.chainOf(forge.decided().rule()));
                }
                if (services.inline() == null) {
                    // with inline devices the relay taps whichever leg carries the plaintext (see HttpRelay)
                    MirrorTap.install(services.mirror(), client, upstream);
                }
                tls.finishClient(services.forgedContexts().mirroring(leaf, hello.serverName(), forge.alpn()), host(),
                        this::clientReady, this::clientRejectedCertificate);
            }
            case DecryptedNext.Http2 h2 -> {
                startHttp2();
                replay(upstream, "h2", takeFromOrigin()); // the origin's SETTINGS, read with the handshake
            }
            case DecryptedNext.Http1 h1 -> {
                startHttp();
                replay(upstream, "http", takeFromOrigin()); // out of turn for HTTP: the relay says so
                replay(client, "http", takeFromClient());
            }
            case DecryptedNext.Sniff sniff -> {
                if (fromOrigin != null) {
                    sniffed(null, null); // the origin spoke first (a greeting): that decides
                } else {
                    DecryptedProtocolSniffer.install(services, this, upstream);
                }
            }
            case DecryptedNext.RefuseNotHttp refuse -> {
                release();
                session.verdict("block", "decrypted, not HTTP: " + refuse.why());
                session.closeReason("not HTTP, refused: " + refuse.why());
                client.close();
                upstream.close();
            }
            case DecryptedNext.RelayPlaintext relay -> relayPlaintext(relay);
        }
    }

    /** The sniffer decided on the first bytes; takes ownership of both (either may be null). */
    void sniffed(ByteBuf first, ByteBuf originFirst) {
        fromClient = first;
        if (originFirst != null) {
            ReferenceCountUtil.release(fromOrigin);
            fromOrigin = originFirst;
        }
        String refusal = NonHttpGate.refusal(services, host(), true).orElse(null);
        proceed(DecryptedNext.afterFirstBytes(first != null && DecryptedProtocolSniffer.looksLikeHttp(first),
                fromOrigin != null, refusal));
    }

    Channel client() {
        return client;
    }

    private void originReady(SSLSession tlsSession) {
        boolean mutualTls = tls.originRequestedClientCertificate();
        List<X509Certificate> chain = TlsInterceptor.peerChain(tlsSession);
        CertificateVerdict verdict = mutualTls ? CertificateVerdict.TRUSTED : services.validator().validate(chain, host());
        leaf = chain.isEmpty() ? null : chain.get(0);
        if (!mutualTls) {
            session.upstreamCertificate(new UpstreamCertificateSummary(
                    leaf == null ? null : leaf.getSubjectX500Principal().getName(),
                    leaf == null ? null : leaf.getIssuerX500Principal().getName(),
                    verdict.trusted() ? "trusted" : "untrusted",
                    verdict instanceof CertificateVerdict.Untrusted u ? u.problem().code() + ": " + u.detail() : null));
        }
        proceed(DecryptedNext.afterOriginHandshake(mutualTls, verdict, certificateDecides,
                services.config().upstream().invalidCertificateAction() == InvalidCertificateAction.REJECT,
                originAlpn()));
    }

    private void originFailed(Throwable cause) {
        proceed(DecryptedNext.afterOriginFailure(tls.originRequestedClientCertificate(),
                Failures.classify(cause) == Failures.Kind.TIMEOUT, Failures.describe(cause)));
    }

    private void clientReady(String alpn) {
        fromOrigin = HeldBytes.take(upstream);
        proceed(DecryptedNext.afterClientHandshake(alpn));
    }

    private String originAlpn() {
        return tls.upstreamTls() == null ? null : tls.upstreamTls().applicationProtocol();
    }

    private String host() {
        return hello.serverName() != null ? hello.serverName() : origin.host();
    }

    /** Bypass after Loupe spoke TLS to the origin needs a fresh connection; before, the open one is relayed. */
    private void bypass() {
        Channel open = upstream;
        if (tls.upstreamTls() != null) {
            upstream.close();
            open = null;
        }
        BypassRelay.start(services, session, origin, open, tls.takeHello());
    }

    private void refuse(DecryptedNext.RefuseCertificate refuse) {
        upstream.close();
        var untrusted = refuse.why();
        String problem = untrusted.problem().description() + " (" + untrusted.detail() + ")";
        log.info("[{}] upstream certificate for {} refused: {}", session.id(), host(), problem);
        if (refuse.closeOnly()) {
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

    private void showError(CertificateNames names, ErrorPage page) {
        tls.finishClient(services.forgedContexts().forErrorPage(names), host(), alpn -> {
            var limits = services.config().limits();
            client.pipeline().addLast("http", HttpCodecs.server(limits.maxInitialLineLength(), limits.maxHeaderSize()));
            client.pipeline().addLast("error-page", new ErrorPageResponder(page));
            client.config().setAutoRead(true);
        }, this::clientRejectedCertificate);
    }

    /** The client refused a certificate Loupe forged (pinning): it counts towards an automatic bypass. */
    private void clientRejectedCertificate() {
        var outcome = services.decider().autoBypass().clientRejectedCertificate(factsWithHost());
        log.debug("[{}] client rejected the certificate for {}: {}", session.id(), host(), outcome);
    }

    private void relayPlaintext(DecryptedNext.RelayPlaintext relay) {
        session.verdict("decrypt", "decrypted, not HTTP" + (relay.originSpokeFirst() ? " (the origin spoke first)" : "")
                + ": relayed as plaintext bytes");
        if (services.inline() != null) {
            // not HTTP, so no inline device: the mirror taps the origin connection as without inline services
            MirrorTap.install(services.mirror(), client, upstream);
        }
        ByteRelayHandler.link(client, upstream, "relay");
        ByteBuf toClient = takeFromOrigin();
        ByteBuf toOrigin = takeFromClient();
        if (toClient != null) {
            client.writeAndFlush(toClient);
        }
        if (toOrigin != null) {
            upstream.writeAndFlush(toOrigin);
        }
    }

    private void startHttp() {
        var limits = services.config().limits();
        HttpRelays.tunnel(session, Guards.of(services), services.connector(), services.mirror(),
                services.stages(), services.inline(),
                services.inline() == null ? null : new TlsOriginConnector(services)::connect,
                upstream, origin, limits.maxInitialLineLength(), limits.maxHeaderSize());
    }

    /** Both sides chose h2: each client stream is one exchange on the same relay as HTTP/1.1, with its own upstream stream. */
    private void startHttp2() {
        var guards = Guards.of(services);
        var directTls = services.inline() == null ? null : new TlsOriginConnector(services);
        var originAddress = upstream.remoteAddress() instanceof InetSocketAddress a ? a : null;
        Http2Tunnel.start(session, client, upstream, services.config().http2(),
                services.config().limits().maxHeaderSize(), (clientStream, upstreamStream) -> HttpRelays.stream(
                        session, clientStream, guards, services.connector(), services.mirror(),
                        services.stages(), services.inline(),
                        directTls == null ? null : directTls::connect, upstreamStream, origin, originAddress));
    }

    private static void replay(Channel channel, String before, ByteBuf bytes) {
        if (bytes != null) {
            Replay.into(channel.pipeline(), before, bytes);
        }
    }

    private ByteBuf takeFromOrigin() {
        ByteBuf bytes = fromOrigin;
        fromOrigin = null;
        return bytes;
    }

    private ByteBuf takeFromClient() {
        ByteBuf bytes = fromClient;
        fromClient = null;
        return bytes;
    }

    private void release() {
        ReferenceCountUtil.release(takeFromOrigin());
        ReferenceCountUtil.release(takeFromClient());
    }

    /** The connection's facts, naming the host the certificate was forged for. */
    private ConnectionFacts factsWithHost() {
        return new ConnectionFacts(((InetSocketAddress) client.remoteAddress()).getAddress(),
                facts == null ? null : facts.destination(), origin.port(), host(),
                facts == null ? origin.host() : facts.connectHost(),
                facts == null ? List.of() : facts.alpnOffered(), session.listener(), null,
                facts == null ? null : facts.ja3(), facts == null ? null : facts.ja4());
    }
}
