package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Origin;

import dev.loupe.core.policy.ConnectionFacts;
import dev.loupe.core.policy.PolicyDecision;
import dev.loupe.core.policy.Verdict;
import dev.loupe.core.tls.ClientHello;
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
 * Acts on the decision for a tunnel whose ClientHello has been read: decrypt, bypass (bytes
 * untouched), block (a TLS alert, the only thing the client can understand at this point), or decrypt
 * far enough to see the upstream certificate when a rule asks for it.
 */
final class TunnelDispatcher {
    private static final Logger log = LoggerFactory.getLogger(TunnelDispatcher.class);

    private TunnelDispatcher() {
    }

    /** Takes ownership of {@code helloBytes}. */
    static void dispatch(GatewayServices services, Session session, Origin origin, Channel upstream,
                         ClientHello hello, ByteBuf helloBytes) {
        ConnectionFacts facts = facts(session, origin, upstream, hello);
        PolicyDecision decision = services.decider().decide(facts);
        decision = encryptedClientHello(services, hello, decision);
        switch (decision) {
            case PolicyDecision.Decided decided -> act(services, session, origin, upstream, hello, helloBytes, facts,
                    decided.verdict());
            case PolicyDecision.NeedsCertificate needs -> new TlsInterceptor(services, session, origin, upstream, facts,
                    true).start(hello, helloBytes);
        }
    }

    /**
     * A ClientHello with an ECH extension: the operator's {@code policy.encrypted-client-hello} action
     * replaces a "decrypt" outcome (blocks and bypasses from rules or intel stand). Decrypting the outer
     * hello makes a real ECH client fall back to plain TLS, as the ECH specification requires of
     * clients facing a server without ECH.
     */
    private static PolicyDecision encryptedClientHello(GatewayServices services, ClientHello hello,
                                                       PolicyDecision decision) {
        var action = services.config().policy().encryptedClientHelloAction();
        if (!hello.encryptedClientHello() || action == dev.loupe.core.policy.Action.DECRYPT
                || !(decision instanceof PolicyDecision.Decided(Verdict.Decrypt d))) {
            return decision;
        }
        return new PolicyDecision.Decided(Verdict.of(action, "encrypted-client-hello",
                "the ClientHello offers ECH (policy.encrypted-client-hello: " + action.configName() + ")"));
    }

    static void act(GatewayServices services, Session session, Origin origin, Channel upstream, ClientHello hello,
                    ByteBuf helloBytes, ConnectionFacts facts, Verdict verdict) {
        switch (verdict) {
            case Verdict.Decrypt d -> {
                session.verdict("decrypt", d.rule() + ": " + d.reason());
                new TlsInterceptor(services, session, origin, upstream, facts, false).start(hello, helloBytes);
            }
            case Verdict.Bypass b -> {
                session.sni(hello.serverName());
                session.verdict("bypass", b.rule() + ": " + b.reason());
                BypassRelay.start(services, session, origin, upstream, helloBytes);
            }
            case Verdict.Block b -> block(session, upstream, helloBytes, b);
        }
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
                origin.host(), hello == null ? java.util.List.of() : hello.alpnProtocols(), session.listener(), null);
    }
}
