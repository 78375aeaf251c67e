package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Origin;

import dev.loupe.core.policy.ConnectionFacts;
import dev.loupe.core.policy.DecryptedNext;
import dev.loupe.core.policy.PolicyDecision;
import dev.loupe.core.policy.Verdict;
import dev.loupe.core.tls.ClientHello;
import dev.loupe.core.tls.TlsFingerprints;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the policy about a tunnel whose ClientHello has been read and hands the answer to its
 * {@link DecryptedPath}: decrypt, bypass (bytes untouched), block (a TLS alert, the only thing the client
 * can understand at this point), or decrypt far enough to see the upstream certificate when a rule asks.
 */
final class TunnelDispatcher {
    private static final Logger log = LoggerFactory.getLogger(TunnelDispatcher.class);

    private TunnelDispatcher() {
    }

    /** Takes ownership of {@code helloBytes}. */
    static void dispatch(GatewayServices services, Session session, Origin origin, Channel upstream,
                         ClientHello hello, ByteBuf helloBytes) {
        session.fingerprints(new dev.loupe.core.log.HandshakeFingerprints(TlsFingerprints.ja3(hello),
                TlsFingerprints.ja4(hello), null, null));
        ConnectionFacts facts = facts(session, origin, upstream, hello);
        PolicyDecision decision = services.decider().decide(facts);
        new DecryptedPath(services, session, origin, upstream, facts, hello, helloBytes).proceed(
                DecryptedNext.afterClientHello(decision, hello.encryptedClientHello(),
                        services.config().policy().encryptedClientHelloAction()));
    }

    /** Refuses with a TLS alert (no page is possible before a handshake) and a log line. */
    static void block(Session session, Channel upstream, ByteBuf helloBytes, Verdict.Block block) {
        helloBytes.release();
        if (upstream != null) {
            upstream.close();
        }
        session.verdict("block", block.rule() + ": " + block.reason());
        session.closeReason("blocked");
        log.info("[{}] blocked {} ({}): {}", session.id(), session.target(), block.rule(), block.reason());
        session.client().writeAndFlush(TlsAlerts.accessDenied()).addListener(ChannelFutureListener.CLOSE);
    }

    static ConnectionFacts facts(Session session, Origin origin, Channel upstream, ClientHello hello) {
        InetAddress client = ((InetSocketAddress) session.client().remoteAddress()).getAddress();
        InetAddress destination = upstream != null && upstream.remoteAddress() instanceof InetSocketAddress a
                ? a.getAddress() : dev.loupe.core.net.IpLiterals.address(origin.host()).orElse(null);
        return new ConnectionFacts(client, destination, origin.port(), hello == null ? null : hello.serverName(),
                origin.host(), hello == null ? java.util.List.of() : hello.alpnProtocols(), session.listener(), null,
                session.fingerprints() == null ? null : session.fingerprints().ja3(),
                session.fingerprints() == null ? null : session.fingerprints().ja4());
    }
}
